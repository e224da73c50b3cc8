//! `process_update` semantics: group order, first match per group, stop, error routing.

use std::sync::{Arc, Mutex};

use serde_json::json;
use telegram_ext::handlers::{MessageHandler, TypeHandler};
use telegram_ext::{filters, stop, Application, Context, HandlerError, HandlerResult, Update};
use telegram_test::FakeBotApi;

/// What the handlers saw, in order.
#[derive(Default)]
struct Log(Mutex<Vec<String>>);

impl Log {
    fn push(&self, entry: impl Into<String>) {
        self.0.lock().unwrap().push(entry.into());
    }
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut self.0.lock().unwrap())
    }
}

async fn app(server: &FakeBotApi) -> Application<Log> {
    let app = Application::builder()
        .token(server.token())
        .base_url(server.url())
        .state(Log::default())
        .build()
        .unwrap();
    app.initialize().await.unwrap();
    app
}

fn text_update(id: i64, text: &str) -> Update {
    serde_json::from_value(json!({"update_id": id, "message": {
        "message_id": id, "date": 1, "chat": {"id": 7, "type": "private"},
        "from": {"id": 7, "is_bot": false, "first_name": "A"}, "text": text}}))
    .unwrap()
}

macro_rules! logging_handler {
    ($name:ident, $entry:literal) => {
        async fn $name(_: Arc<Update>, ctx: Context<Log>) -> HandlerResult {
            ctx.state.push($entry);
            Ok(())
        }
    };
}

logging_handler!(first, "g0:first");
logging_handler!(second, "g0:second");
logging_handler!(minus_one, "g-1");
logging_handler!(group_five, "g5");

async fn failing(_: Arc<Update>, ctx: Context<Log>) -> HandlerResult {
    ctx.state.push("g1:failing");
    Err(HandlerError::msg("boom"))
}

async fn panicking(_: Arc<Update>, ctx: Context<Log>) -> HandlerResult {
    ctx.state.push("g1:panicking");
    panic!("handler exploded");
}

async fn stopping(_: Arc<Update>, ctx: Context<Log>) -> HandlerResult {
    ctx.state.push("g1:stop");
    stop()
}

async fn on_error(update: Arc<Update>, ctx: Context<Log>) -> HandlerResult {
    let error = ctx
        .error
        .as_ref()
        .map(|e| e.to_string())
        .unwrap_or_default();
    ctx.state.push(format!(
        "error handler: update {} -> {error}",
        update.update_id
    ));
    Ok(())
}

async fn broken_error_handler(_: Arc<Update>, ctx: Context<Log>) -> HandlerResult {
    ctx.state.push("broken error handler ran");
    Err(HandlerError::msg("the error handler failed too"))
}

#[tokio::test]
async fn groups_run_in_ascending_order_with_the_first_match_of_each() {
    let server = FakeBotApi::start().await;
    let app = app(&server).await;
    app.add_handler(MessageHandler::new(filters::TEXT, group_five), 5);
    app.add_handler(MessageHandler::new(filters::TEXT, first), 0);
    app.add_handler(MessageHandler::new(filters::TEXT, second), 0);
    app.add_handler(MessageHandler::new(filters::TEXT, minus_one), -1);
    app.process_update(text_update(1, "hi")).await;
    assert_eq!(app.state().take(), ["g-1", "g0:first", "g5"]);
}

#[tokio::test]
async fn a_non_matching_handler_lets_the_next_one_in_its_group_match() {
    let server = FakeBotApi::start().await;
    let app = app(&server).await;
    app.add_handler(MessageHandler::new(filters::PHOTO, first), 0);
    app.add_handler(MessageHandler::new(filters::TEXT, second), 0);
    app.process_update(text_update(1, "hi")).await;
    assert_eq!(app.state().take(), ["g0:second"]);
}

#[tokio::test]
async fn stop_ends_the_update_before_later_groups() {
    let server = FakeBotApi::start().await;
    let app = app(&server).await;
    app.add_handler(MessageHandler::new(filters::TEXT, first), 0);
    app.add_handler(MessageHandler::new(filters::TEXT, stopping), 1);
    app.add_handler(MessageHandler::new(filters::TEXT, group_five), 5);
    app.process_update(text_update(1, "hi")).await;
    assert_eq!(app.state().take(), ["g0:first", "g1:stop"]);
}

#[tokio::test]
async fn an_error_reaches_every_error_handler_with_its_update_and_the_next_group_runs() {
    let server = FakeBotApi::start().await;
    let app = app(&server).await;
    app.add_handler(MessageHandler::new(filters::TEXT, failing), 1);
    app.add_handler(MessageHandler::new(filters::TEXT, group_five), 5);
    app.add_error_handler(on_error);
    app.add_error_handler(broken_error_handler);
    app.process_update(text_update(42, "hi")).await;
    assert_eq!(
        app.state().take(),
        [
            "g1:failing",
            "error handler: update 42 -> boom",
            "broken error handler ran",
            "g5"
        ]
    );
}

#[tokio::test]
async fn a_panicking_handler_becomes_an_error_and_the_application_lives_on() {
    let server = FakeBotApi::start().await;
    let app = app(&server).await;
    app.add_handler(MessageHandler::new(filters::TEXT, panicking), 1);
    app.add_error_handler(on_error);
    app.process_update(text_update(1, "first")).await;
    app.process_update(text_update(2, "second")).await;
    assert_eq!(
        app.state().take(),
        [
            "g1:panicking",
            "error handler: update 1 -> handler panicked: handler exploded",
            "g1:panicking",
            "error handler: update 2 -> handler panicked: handler exploded",
        ]
    );
}

#[tokio::test]
async fn handlers_can_be_removed_while_the_application_lives() {
    let server = FakeBotApi::start().await;
    let app = app(&server).await;
    let id = app.add_handler(MessageHandler::new(filters::TEXT, first), 0);
    app.add_handler(TypeHandler::new(|_: &Update| true, group_five), 5);
    app.process_update(text_update(1, "hi")).await;
    assert!(app.remove_handler(id));
    assert!(!app.remove_handler(id));
    app.process_update(text_update(2, "hi")).await;
    assert_eq!(app.state().take(), ["g0:first", "g5", "g5"]);
}

#[tokio::test]
async fn allowed_updates_follow_the_registered_handlers() {
    let server = FakeBotApi::start().await;
    let app = app(&server).await;
    app.add_handler(MessageHandler::new(filters::TEXT, first), 0);
    let kinds = app.allowed_updates();
    assert!(kinds.contains(&telegram_types::UpdateType::Message));
    assert!(!kinds.contains(&telegram_types::UpdateType::CallbackQuery));
}

#[test]
fn application_is_send_sync_and_clone() {
    fn check<T: Send + Sync + Clone + 'static>() {}
    check::<Application<Log>>();
    check::<Application>();
}
