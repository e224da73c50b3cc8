//! Conversation timeouts under tokio's paused time (the job clock anchored to a fixed wall
//! time): a timeout fires at its deadline, each handled update resets it, it goes to the state
//! chosen for it (or ends the conversation), and an entry point that ends at once arms none.
//! A nested conversation's timeout moves its parent as the child's end does.
//! And persistence on a real SQLite file: a half-done conversation continues after the
//! application is dropped and rebuilt, and a timeout armed before the restart fires after it.

mod jobs_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;
use jobs_support::{advance, app_with, mock_bot, start};
use serde::{Deserialize, Serialize};
use serde_json::json;
use telegram_ext::conversation::{ConversationHandler, Next, StepResult, TimedOut};
use telegram_ext::jobs::JobQueueConfig;
use telegram_ext::prelude::*;
use telegram_store::{SqliteStore, Store};
use tokio::sync::Notify;

const T0: &str = "2025-01-01T00:00:00Z";
const USER: i64 = 77;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
enum Ask {
    Name,
    Age,
    /// Where a timed-out conversation waits (chosen for the timeout).
    Idle,
}

/// What happened, and when (the job clock).
#[derive(Default)]
struct Seen {
    events: Mutex<Vec<(String, Timestamp)>>,
    fired: Notify,
}

impl Seen {
    fn push(&self, what: String, at: Timestamp) {
        self.events.lock().unwrap().push((what, at));
        self.fired.notify_one();
    }

    fn events(&self) -> Vec<(String, String)> {
        let events = self.events.lock().unwrap();
        events
            .iter()
            .map(|(w, t)| (w.clone(), t.to_string()))
            .collect()
    }
}

fn message(update_id: i64, text: &str) -> Update {
    let mut update = json!({"update_id": update_id, "message": {
        "message_id": update_id, "date": 1,
        "chat": {"id": USER, "type": "private", "first_name": "U"},
        "from": {"id": USER, "is_bot": false, "first_name": "U"}, "text": text}});
    if text.starts_with('/') {
        update["message"]["entities"] =
            json!([{"type": "bot_command", "offset": 0, "length": text.len()}]);
    }
    serde_json::from_value(update).expect("a valid update")
}

fn now(ctx: &Context<Arc<Seen>>) -> Timestamp {
    ctx.job_queue().clock().now()
}

async fn begin(_: Arc<Update>, ctx: Context<Arc<Seen>>) -> StepResult<Ask> {
    ctx.state.push("start".to_owned(), now(&ctx));
    Ok(Next::To(Ask::Name))
}

async fn name(_: Arc<Update>, ctx: Context<Arc<Seen>>) -> StepResult<Ask> {
    ctx.state.push("name".to_owned(), now(&ctx));
    Ok(Next::To(Ask::Age))
}

async fn age(_: Arc<Update>, ctx: Context<Arc<Seen>>) -> StepResult<Ask> {
    ctx.state.push("age".to_owned(), now(&ctx));
    Ok(Next::End)
}

async fn ends_at_once(_: Arc<Update>, ctx: Context<Arc<Seen>>) -> StepResult<Ask> {
    ctx.state.push("quick".to_owned(), now(&ctx));
    Ok(Next::End)
}

async fn timed_out(timed_out: TimedOut<Ask>, ctx: Context<Arc<Seen>>) -> StepResult<Ask> {
    let what = format!(
        "timeout in {:?} for {:?}",
        timed_out.state, timed_out.user_id
    );
    ctx.state.push(what, now(&ctx));
    Ok(Next::To(Ask::Idle))
}

fn conversation(after: Duration) -> ConversationHandler<Ask, Arc<Seen>> {
    ConversationHandler::builder("profile")
        .entry_point(CommandHandler::new("start", begin).unwrap())
        .entry_point(CommandHandler::new("quick", ends_at_once).unwrap())
        .state(Ask::Name, MessageHandler::new(filters::TEXT, name))
        .state(Ask::Age, MessageHandler::new(filters::TEXT, age))
        .state(Ask::Idle, MessageHandler::new(filters::TEXT, name))
        .timeout(after)
        .on_timeout(timed_out)
        .build()
        .unwrap()
}

fn key() -> String {
    format!("{USER}:{USER}")
}

/// No other process: sync once a day.
fn config() -> JobQueueConfig {
    JobQueueConfig::new().sync_interval(Duration::from_secs(24 * 3600))
}

#[tokio::test(start_paused = true)]
async fn a_timeout_fires_at_its_deadline_and_goes_to_the_chosen_state() {
    let seen = Arc::new(Seen::default());
    let app = app_with(T0, seen.clone(), config());
    let conversation = conversation(Duration::from_secs(60));
    app.add_handler(conversation.clone(), 0);
    start(&app).await;

    app.process_update(message(1, "/start")).await;
    advance(59).await;
    assert_eq!(
        conversation.state_of(&app, &key()).await.unwrap(),
        Some(Ask::Name)
    );
    advance(2).await;
    assert_eq!(
        seen.events(),
        [
            ("start".to_owned(), T0.to_owned()),
            (
                format!("timeout in Name for Some({USER})"),
                "2025-01-01T00:01:00Z".to_owned()
            ),
        ]
    );
    assert_eq!(
        conversation.state_of(&app, &key()).await.unwrap(),
        Some(Ask::Idle)
    );
    // The chosen state's handlers take the next message; no timeout fires again meanwhile.
    advance(3600).await;
    assert_eq!(seen.events().len(), 2);
    app.process_update(message(2, "Alice")).await;
    assert_eq!(
        conversation.state_of(&app, &key()).await.unwrap(),
        Some(Ask::Age)
    );
    app.stop().await;
}

#[tokio::test(start_paused = true)]
async fn each_handled_update_resets_the_timeout() {
    let seen = Arc::new(Seen::default());
    let app = app_with(T0, seen.clone(), config());
    let conversation = conversation(Duration::from_secs(60));
    app.add_handler(conversation.clone(), 0);
    start(&app).await;

    app.process_update(message(1, "/start")).await;
    advance(40).await;
    app.process_update(message(2, "Alice")).await; // at 00:00:40: resets to 00:01:40
    advance(59).await;
    assert_eq!(seen.events().len(), 2, "fired before the reset deadline");
    advance(2).await;
    let events = seen.events();
    assert_eq!(
        events[2],
        (
            format!("timeout in Age for Some({USER})"),
            "2025-01-01T00:01:40Z".to_owned()
        )
    );
    app.stop().await;
}

#[tokio::test(start_paused = true)]
async fn the_end_cancels_the_timeout_and_an_entry_that_ends_at_once_arms_none() {
    let seen = Arc::new(Seen::default());
    let app = app_with(T0, seen.clone(), config());
    app.add_handler(conversation(Duration::from_secs(60)), 0);
    start(&app).await;

    app.process_update(message(1, "/quick")).await;
    assert!(
        app.job_queue().is_empty(),
        "an entry that ends armed a timeout"
    );
    app.process_update(message(2, "/start")).await;
    assert_eq!(app.job_queue().len(), 1);
    app.process_update(message(3, "Alice")).await;
    app.process_update(message(4, "42")).await;
    assert!(app.job_queue().is_empty(), "the end left its timeout armed");
    advance(3600).await;
    let kinds: Vec<String> = seen.events().into_iter().map(|(w, _)| w).collect();
    assert_eq!(kinds, ["quick", "start", "name", "age"]);
    app.stop().await;
}

#[tokio::test(start_paused = true)]
async fn without_a_chosen_state_a_timeout_ends_the_conversation() {
    let seen = Arc::new(Seen::default());
    let app = app_with(T0, seen.clone(), config());
    let conversation = ConversationHandler::builder("plain")
        .entry_point(CommandHandler::new("start", begin).unwrap())
        .state(Ask::Name, MessageHandler::new(filters::TEXT, name))
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    app.add_handler(conversation.clone(), 0);
    start(&app).await;
    app.process_update(message(1, "/start")).await;
    advance(61).await;
    assert_eq!(conversation.state_of(&app, &key()).await.unwrap(), None);
    app.stop().await;
}

// ---- A nested conversation's timeout moves its parent ------------------------------------

/// The parent's states: a menu holding the child, and where the child's timeout leads.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
enum Menu {
    Choosing,
    Abandoned,
}

/// The child's one state.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
enum Edit {
    Field,
}

async fn open_menu(_: Arc<Update>, ctx: Context<Arc<Seen>>) -> StepResult<Menu> {
    ctx.state.push("menu".to_owned(), now(&ctx));
    Ok(Next::To(Menu::Choosing))
}

async fn edit(_: Arc<Update>, ctx: Context<Arc<Seen>>) -> StepResult<Edit> {
    ctx.state.push("edit".to_owned(), now(&ctx));
    Ok(Next::To(Edit::Field))
}

async fn field(_: Arc<Update>, ctx: Context<Arc<Seen>>) -> StepResult<Edit> {
    ctx.state.push("field".to_owned(), now(&ctx));
    Ok(Next::Stay)
}

async fn abandoned(_: Arc<Update>, ctx: Context<Arc<Seen>>) -> StepResult<Menu> {
    ctx.state
        .push("after the child's timeout".to_owned(), now(&ctx));
    Ok(Next::End)
}

#[tokio::test(start_paused = true)]
async fn a_nested_conversations_timeout_moves_its_parent_as_its_end_does() {
    let seen = Arc::new(Seen::default());
    let app = app_with(T0, seen.clone(), config());
    let child = ConversationHandler::builder("edit")
        .entry_point(CommandHandler::new("edit", edit).unwrap())
        .state(Edit::Field, MessageHandler::new(filters::TEXT, field))
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let parent = ConversationHandler::builder("menu")
        .entry_point(CommandHandler::new("start", open_menu).unwrap())
        .state(
            Menu::Choosing,
            child.clone().map_to_parent(|next: &Next<Edit>| match next {
                Next::End => Some(Next::To(Menu::Abandoned)),
                _ => None,
            }),
        )
        .state(
            Menu::Abandoned,
            MessageHandler::new(filters::TEXT, abandoned),
        )
        .build()
        .unwrap();
    app.add_handler(parent.clone(), 0);
    start(&app).await;

    app.process_update(message(1, "/start")).await;
    app.process_update(message(2, "/edit")).await;
    assert_eq!(
        child.state_of(&app, &key()).await.unwrap(),
        Some(Edit::Field)
    );
    advance(59).await;
    assert_eq!(
        parent.state_of(&app, &key()).await.unwrap(),
        Some(Menu::Choosing)
    );
    // The child times out to its end, which its map sends the parent to `Abandoned` for.
    advance(2).await;
    assert_eq!(child.state_of(&app, &key()).await.unwrap(), None);
    assert_eq!(
        parent.state_of(&app, &key()).await.unwrap(),
        Some(Menu::Abandoned)
    );
    // The parent's next update is handled by that state's handler.
    app.process_update(message(3, "still there?")).await;
    let kinds: Vec<String> = seen.events().into_iter().map(|(w, _)| w).collect();
    assert_eq!(kinds, ["menu", "edit", "after the child's timeout"]);
    assert_eq!(parent.state_of(&app, &key()).await.unwrap(), None);
    app.stop().await;
}

// ---- Persistence on a real SQLite file (real time) --------------------------------------

fn app_on(store: Arc<dyn Store>, seen: Arc<Seen>) -> Application<Arc<Seen>> {
    Application::builder()
        .bot(mock_bot())
        .shared_store(store)
        .state(seen)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_conversation_and_its_timeout_survive_a_restart_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bot.sqlite");

    // First life: the user gets half way, the timeout is armed (2 s), then the
    // application is stopped and dropped before it fires.
    let seen = Arc::new(Seen::default());
    {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&path).unwrap());
        let app = app_on(store, seen.clone());
        app.add_handler(conversation(Duration::from_secs(2)), 0);
        start(&app).await;
        app.process_update(message(1, "/start")).await;
        app.process_update(message(2, "Alice")).await;
        app.stop().await;
        app.shutdown().await;
    }
    assert_eq!(seen.events().len(), 2);

    // Second life on the same file: the next message continues the conversation in state Age…
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&path).unwrap());
    let app = app_on(store, seen.clone());
    let conversation = conversation(Duration::from_secs(2));
    app.add_handler(conversation.clone(), 0);
    assert_eq!(
        conversation.state_of(&app, &key()).await.unwrap(),
        Some(Ask::Age)
    );
    start(&app).await;
    // …but first the timeout armed in the first life fires in this one.
    let fired = async {
        while !seen.events().iter().any(|(w, _)| w.starts_with("timeout")) {
            seen.fired.notified().await;
        }
    };
    tokio::time::timeout(Duration::from_secs(60), fired)
        .await
        .expect("the timeout armed before the restart fired after it");
    // The next message takes the conversation's turn after the timeout's transition (to Idle)
    // is written; Idle's handler moves it back to Age.
    app.process_update(message(3, "Alice again")).await;
    assert_eq!(
        conversation.state_of(&app, &key()).await.unwrap(),
        Some(Ask::Age)
    );
    app.process_update(message(4, "42")).await;
    let kinds: Vec<String> = seen.events().into_iter().map(|(w, _)| w).collect();
    assert_eq!(
        kinds,
        [
            "start",
            "name",
            &format!("timeout in Age for Some({USER})"),
            "name",
            "age"
        ]
    );
    assert_eq!(conversation.state_of(&app, &key()).await.unwrap(), None);
    app.stop().await;
}
