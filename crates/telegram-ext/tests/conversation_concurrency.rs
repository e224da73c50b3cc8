//! Conversations under concurrent processing: 200 users each send their 5 answers at once to a
//! `Concurrent(256)` application whose handlers take seeded random time; every conversation
//! must take each of its 5 steps exactly once. And `block(false)` handlers: the next update of
//! the same conversation waits for the pending transition, other conversations do not.
//!
//! Tokio's paused time: the latencies are virtual, the runs deterministic.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::json;
use telegram_ext::conversation::{ConversationHandler, Next, StepResult};
use telegram_ext::prelude::*;
use tokio::sync::Notify;

const USERS: i64 = 200;
const ANSWERS: i64 = 5;
const SEED: u64 = 0x9e37_79b9_7f4a_7c15;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
enum Step {
    Two,
    Three,
    Four,
    Five,
}

/// What each user's conversation did: (step number, answer) in the order the steps ran.
#[derive(Default)]
struct Log(Mutex<HashMap<i64, Vec<(i64, String)>>>);

fn message(update_id: i64, user: i64, text: &str) -> Update {
    let mut update = json!({"update_id": update_id, "message": {
        "message_id": update_id, "date": 1,
        "chat": {"id": user, "type": "private", "first_name": "U"},
        "from": {"id": user, "is_bot": false, "first_name": "U"}, "text": text}});
    if text.starts_with('/') {
        let length = text.split_whitespace().next().map_or(0, str::len);
        update["message"]["entities"] =
            json!([{"type": "bot_command", "offset": 0, "length": length}]);
    }
    serde_json::from_value(update).expect("a valid update")
}

/// A latency of 0–20 ms, the same for the same update in every run.
fn latency(update_id: i64) -> Duration {
    let mut x = SEED ^ (update_id as u64).wrapping_mul(0x2545_f491_4f6c_dd1d);
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    Duration::from_micros(x % 20_000)
}

/// Records step `n` for the update's user after a random latency, then moves to `next`.
async fn record(ctx: &Context<Log>, update: &Update, n: i64) {
    tokio::time::sleep(latency(update.update_id)).await;
    let user = update.effective_user().map_or(0, |u| u.id);
    let text = update
        .effective_message()
        .and_then(|m| m.text.clone())
        .unwrap_or_default();
    ctx.state
        .0
        .lock()
        .unwrap()
        .entry(user)
        .or_default()
        .push((n, text));
}

async fn one(update: Arc<Update>, ctx: Context<Log>) -> StepResult<Step> {
    record(&ctx, &update, 1).await;
    Ok(Next::To(Step::Two))
}
async fn two(update: Arc<Update>, ctx: Context<Log>) -> StepResult<Step> {
    record(&ctx, &update, 2).await;
    Ok(Next::To(Step::Three))
}
async fn three(update: Arc<Update>, ctx: Context<Log>) -> StepResult<Step> {
    record(&ctx, &update, 3).await;
    Ok(Next::To(Step::Four))
}
async fn four(update: Arc<Update>, ctx: Context<Log>) -> StepResult<Step> {
    record(&ctx, &update, 4).await;
    Ok(Next::To(Step::Five))
}
async fn five(update: Arc<Update>, ctx: Context<Log>) -> StepResult<Step> {
    record(&ctx, &update, 5).await;
    Ok(Next::End)
}

#[tokio::test(start_paused = true)]
async fn two_hundred_users_answering_at_once_never_skip_a_step() {
    let app = Application::builder()
        .token("4242:secret")
        .state(Log::default())
        .concurrent_updates(256)
        .build()
        .unwrap();
    let conversation = ConversationHandler::builder("survey")
        .entry_point(MessageHandler::new(filters::TEXT, one))
        .state(Step::Two, MessageHandler::new(filters::TEXT, two))
        .state(Step::Three, MessageHandler::new(filters::TEXT, three))
        .state(Step::Four, MessageHandler::new(filters::TEXT, four))
        .state(Step::Five, MessageHandler::new(filters::TEXT, five))
        .build()
        .unwrap();
    app.add_handler(conversation.clone(), 0);

    // Each user's five answers, interleaved with everyone else's, all submitted at once.
    let mut update_id = 0;
    for answer in 1..=ANSWERS {
        for user in 1..=USERS {
            update_id += 1;
            app.submit_update(message(update_id, user, &format!("a{answer}")))
                .await;
        }
    }
    app.processor().drain().await;

    let log = std::mem::take(&mut *app.state().0.lock().unwrap());
    for user in 1..=USERS {
        let steps: Vec<i64> = log[&user].iter().map(|(n, _)| *n).collect();
        assert_eq!(steps, [1, 2, 3, 4, 5], "user {user}: {:?}", log[&user]);
        let mut answers: Vec<&str> = log[&user].iter().map(|(_, a)| a.as_str()).collect();
        answers.sort_unstable();
        assert_eq!(answers, ["a1", "a2", "a3", "a4", "a5"], "user {user}");
        let key = format!("{user}:{user}");
        let state = conversation.state_of(&app, &key).await.unwrap();
        assert_eq!(state, None, "user {user} did not finish");
    }
}

// ---- block(false): the next update waits for the pending transition ----------------------

#[derive(Default)]
struct Gate {
    release: Notify,
    seen: Mutex<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
enum Slow {
    After,
}

async fn slow_entry(update: Arc<Update>, ctx: Context<Gate>) -> StepResult<Slow> {
    ctx.state.release.notified().await;
    note(&ctx, &update, "entry");
    Ok(Next::To(Slow::After))
}

async fn after(update: Arc<Update>, ctx: Context<Gate>) -> StepResult<Slow> {
    note(&ctx, &update, "after");
    Ok(Next::End)
}

fn note(ctx: &Context<Gate>, update: &Update, what: &str) {
    let user = update.effective_user().map_or(0, |u| u.id);
    ctx.state
        .seen
        .lock()
        .unwrap()
        .push(format!("{user} {what}"));
}

#[tokio::test(start_paused = true)]
async fn a_non_blocking_handler_makes_the_next_update_of_its_conversation_wait() {
    let app = Application::builder()
        .token("4242:secret")
        .state(Gate::default())
        .concurrent_updates(8)
        .build()
        .unwrap();
    let conversation = ConversationHandler::builder("slow")
        .entry_point(CommandHandler::new("go", slow_entry).unwrap().block(false))
        .state(Slow::After, MessageHandler::new(filters::TEXT, after))
        .build()
        .unwrap();
    app.add_handler(conversation, 0);

    // User 1's entry point runs as a task: its update is done at once.
    app.process_update(message(1, 1, "/go")).await;
    assert_eq!(app.running_tasks(), 1);
    // User 1's answer waits for the pending transition (to `After`), however long.
    let mut waiting = tokio::spawn({
        let app = app.clone();
        async move { app.process_update(message(2, 1, "answer")).await }
    });
    // Paused time jumps to the deadline only once nothing else can run: the answer is stuck.
    let waited = tokio::time::timeout(Duration::from_secs(3600), &mut waiting).await;
    assert!(
        waited.is_err(),
        "the answer did not wait for the transition"
    );
    // Another user's conversation is not held up.
    app.process_update(message(3, 2, "/go")).await;
    assert_eq!(app.running_tasks(), 2);

    app.state().release.notify_waiters();
    waiting.await.unwrap();
    let seen = app.state().seen.lock().unwrap().clone();
    // User 1's answer was handled in state `After`, after the entry point's transition.
    let first = seen.iter().position(|s| s == "1 entry").unwrap();
    let answer = seen.iter().position(|s| s == "1 after").unwrap();
    assert!(first < answer, "{seen:?}");
}

// ---- Two processes sharing a store ----------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
enum Shared {
    Named,
    Aged,
}

/// Per process: a gate its `name` step waits at (when closed), and the errors it reported.
#[derive(Default)]
struct Process {
    gate: Option<Arc<Notify>>,
    reached: Notify,
    errors: Mutex<Vec<String>>,
}

async fn shared_start(_: Arc<Update>, _: Context<Process>) -> StepResult<Shared> {
    Ok(Next::To(Shared::Named))
}

async fn shared_name(_: Arc<Update>, ctx: Context<Process>) -> StepResult<Shared> {
    if let Some(gate) = &ctx.state.gate {
        ctx.state.reached.notify_one();
        gate.notified().await;
    }
    Ok(Next::To(Shared::Aged))
}

fn process(
    store: &Arc<dyn telegram_ext::Store>,
    gate: Option<Arc<Notify>>,
) -> Application<Process> {
    let app = Application::builder()
        .token("4242:secret")
        .shared_store(store.clone())
        .state(Process {
            gate,
            ..Process::default()
        })
        .concurrent_updates(8)
        .build()
        .unwrap();
    let conversation = ConversationHandler::builder("shared")
        .entry_point(CommandHandler::new("start", shared_start).unwrap())
        .state(
            Shared::Named,
            MessageHandler::new(filters::TEXT, shared_name),
        )
        .state(
            Shared::Aged,
            MessageHandler::new(filters::TEXT, shared_name),
        )
        .build()
        .unwrap();
    app.add_handler(conversation, 0);
    app.add_error_handler(|_: Arc<Update>, ctx: Context<Process>| async move {
        let error = ctx
            .error
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        ctx.state.errors.lock().unwrap().push(error);
        Ok(())
    });
    app
}

#[tokio::test]
async fn processes_sharing_a_store_continue_each_others_conversations_and_never_overwrite() {
    let store: Arc<dyn telegram_ext::Store> = Arc::new(telegram_ext::MemoryStore::new());
    let gate = Arc::new(Notify::new());
    let first = process(&store, Some(gate.clone()));
    let second = process(&store, None);
    let state = |app: &Application<Process>| {
        let app = app.clone();
        async move {
            let key = "tg:4242:conv:shared:9:9";
            let entry = app.data().store().get(key.as_bytes()).await.unwrap();
            entry.map(|e| String::from_utf8_lossy(&e.value).into_owned())
        }
    };

    // The first process starts the conversation; the second continues it (no cached state).
    first.process_update(message(1, 9, "/start")).await;
    second.process_update(message(2, 9, "Ann")).await;
    assert_eq!(state(&first).await.as_deref(), Some(r#"{"state":"Aged"}"#));

    // Both handle an answer of the same conversation at once: the first reads `Aged`, waits
    // in its callback while the second moves the conversation on, then its write loses.
    let racing = tokio::spawn({
        let first = first.clone();
        async move { first.process_update(message(3, 9, "Bob")).await }
    });
    first.state().reached.notified().await;
    second.process_update(message(4, 9, "Cid")).await;
    gate.notify_one();
    racing.await.unwrap();
    let errors = first.state().errors.lock().unwrap().clone();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("changed by another process"),
        "{errors:?}"
    );
    assert!(second.state().errors.lock().unwrap().is_empty());
}

/// Which state's handler took each answer, per process.
#[derive(Default)]
struct Answers(Mutex<Vec<&'static str>>);

async fn to_named(_: Arc<Update>, _: Context<Answers>) -> StepResult<Shared> {
    Ok(Next::To(Shared::Named))
}

async fn to_aged(_: Arc<Update>, _: Context<Answers>) -> StepResult<Shared> {
    Ok(Next::To(Shared::Aged))
}

async fn end(_: Arc<Update>, _: Context<Answers>) -> StepResult<Shared> {
    Ok(Next::End)
}

async fn in_named(_: Arc<Update>, ctx: Context<Answers>) -> HandlerResult {
    ctx.state.0.lock().unwrap().push("named");
    Ok(())
}

async fn in_aged(_: Arc<Update>, ctx: Context<Answers>) -> HandlerResult {
    ctx.state.0.lock().unwrap().push("aged");
    Ok(())
}

fn remembering_process(store: &Arc<dyn telegram_ext::Store>) -> Application<Answers> {
    let app = Application::builder()
        .token("4242:secret")
        .shared_store(store.clone())
        .state(Answers::default())
        .build()
        .unwrap();
    let conversation = ConversationHandler::builder("remembered")
        .entry_point(CommandHandler::new("start", to_named).unwrap())
        .entry_point(CommandHandler::new("skip", to_aged).unwrap())
        .state(
            Shared::Named,
            MessageHandler::new(filters::TEXT & !filters::COMMAND, in_named),
        )
        .state(
            Shared::Aged,
            MessageHandler::new(filters::TEXT & !filters::COMMAND, in_aged),
        )
        .fallback(CommandHandler::new("cancel", end).unwrap())
        .build()
        .unwrap();
    app.add_handler(conversation, 0);
    app
}

/// A process keeps the state it last read or wrote per conversation (to skip decoding it):
/// that must never hide another process's write, even one that ended the conversation and
/// started it again in another state at the same version number.
#[tokio::test]
async fn a_process_sees_another_processs_state_even_at_the_same_version() {
    let store: Arc<dyn telegram_ext::Store> = Arc::new(telegram_ext::MemoryStore::new());
    let first = remembering_process(&store);
    let second = remembering_process(&store);

    first.process_update(message(1, 9, "/start")).await; // `Named`, version 1
    first.process_update(message(2, 9, "a")).await;
    second.process_update(message(3, 9, "/cancel")).await; // deleted
    second.process_update(message(4, 9, "/skip")).await; // `Aged`, version 1 again
    first.process_update(message(5, 9, "b")).await;
    second.process_update(message(6, 9, "/cancel")).await;
    second.process_update(message(7, 9, "/start")).await; // `Named`, version 1
    first.process_update(message(8, 9, "c")).await;

    let answers = first.state().0.lock().unwrap().clone();
    assert_eq!(answers, ["named", "aged", "named"]);
    assert!(second.state().0.lock().unwrap().is_empty());
}
