//! Long polling against the fake Bot API: offsets and failure classes.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use telegram_ext::handlers::TypeHandler;
use telegram_ext::{
    Application, Backoff, Context, HandlerError, HandlerResult, PollingConfig, RunError, Update,
};
use telegram_test::{FakeBotApi, Fault, Schedule};

/// Update ids seen, and how many to wait for before stopping.
struct Seen {
    ids: Mutex<Vec<i64>>,
    expected: usize,
}

async fn record(update: Arc<Update>, ctx: Context<Seen>) -> HandlerResult {
    let done = {
        let mut ids = ctx.state.ids.lock().unwrap();
        ids.push(update.update_id);
        ids.len() >= ctx.state.expected
    };
    if done {
        ctx.stop_running();
    }
    Ok(())
}

fn app(server: &FakeBotApi, expected: usize) -> Application<Seen> {
    let app = Application::builder()
        .token(server.token())
        .base_url(server.url())
        .state(Seen {
            ids: Mutex::new(Vec::new()),
            expected,
        })
        .build()
        .unwrap();
    app.add_handler(TypeHandler::new(|_: &Update| true, record), 0);
    app
}

fn config() -> PollingConfig {
    PollingConfig::default()
        .timeout(Duration::from_secs(1))
        .stop_signals(false)
        .backoff(Backoff::new(
            Duration::from_millis(50),
            Duration::from_millis(200),
        ))
}

async fn push_messages(server: &FakeBotApi, count: usize) {
    let users: Vec<_> = (0..5).map(|i| server.user(&format!("user{i}"))).collect();
    for i in 0..count {
        users[i % users.len()]
            .send_text(format!("message {i}"))
            .await;
    }
}

#[tokio::test]
async fn every_update_is_handled_once_in_order_and_the_offset_is_confirmed_on_stop() {
    let server = FakeBotApi::start().await;
    push_messages(&server, 250).await;
    let app = app(&server, 250);
    app.run_polling(config().limit(100)).await.unwrap();
    let ids = app.state().ids.lock().unwrap().clone();
    assert_eq!(ids.len(), 250);
    assert!(
        ids.windows(2).all(|w| w[1] == w[0] + 1),
        "ids not consecutive: {ids:?}"
    );
    assert_eq!(server.confirmed_offset(), ids.last().unwrap() + 1);
    assert_eq!(server.pending_updates(), 0);
}

#[tokio::test]
async fn a_second_run_continues_where_the_first_stopped() {
    let server = FakeBotApi::start().await;
    push_messages(&server, 30).await;
    let first = app(&server, 30);
    first.run_polling(config()).await.unwrap();
    push_messages(&server, 20).await;
    let second = app(&server, 20);
    second.run_polling(config()).await.unwrap();
    let a: HashSet<i64> = first.state().ids.lock().unwrap().iter().copied().collect();
    let b: HashSet<i64> = second.state().ids.lock().unwrap().iter().copied().collect();
    assert_eq!((a.len(), b.len()), (30, 20));
    assert!(a.is_disjoint(&b), "an update was handled twice");
}

// Paused time, here and below: the fake server records arrivals on tokio's clock, so the gaps
// are the waits the client chose, exactly, however loaded the machine.
#[tokio::test(start_paused = true)]
async fn flood_control_waits_retry_after_before_polling_again() {
    let server = FakeBotApi::start().await;
    push_messages(&server, 3).await;
    server.inject("getUpdates", Fault::RetryAfter(1), Schedule::Times(1));
    let app = app(&server, 3);
    app.run_polling(config()).await.unwrap();
    assert_eq!(app.state().ids.lock().unwrap().len(), 3);
    let faulted = server.faulted_requests();
    assert_eq!(faulted.len(), 1);
    let retry = server
        .requests_for("getUpdates")
        .into_iter()
        .find(|r| r.received_at > faulted[0].received_at)
        .unwrap();
    let gap = retry.received_at - faulted[0].received_at;
    assert!(
        (Duration::from_secs(1)..Duration::from_millis(1100)).contains(&gap),
        "retried after {gap:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn server_errors_back_off_and_polling_recovers() {
    let server = FakeBotApi::start().await;
    push_messages(&server, 3).await;
    server.inject("getUpdates", Fault::ServerError(502), Schedule::Times(3));
    let app = app(&server, 3);
    app.run_polling(config()).await.unwrap();
    assert_eq!(app.state().ids.lock().unwrap().len(), 3);
    let mut times: Vec<_> = server
        .faulted_requests()
        .iter()
        .map(|r| r.received_at)
        .collect();
    times.extend(
        server
            .requests_for("getUpdates")
            .iter()
            .map(|r| r.received_at),
    );
    times.sort();
    // Backoff of 50 ms doubling, jittered down to half: gaps in 25..=50, 50..=100, 100..=200 ms.
    assert_eq!(
        times.len(),
        4 + 1,
        "three failures, the success, the final confirmation"
    );
    for (gap, max_ms) in times.windows(2).zip([50, 100, 200]) {
        let gap = gap[1] - gap[0];
        let range = Duration::from_millis(max_ms / 2)..=Duration::from_millis(max_ms);
        assert!(
            range.contains(&gap),
            "retried after {gap:?}, not in {range:?}"
        );
    }
}

#[tokio::test]
async fn a_rejected_token_stops_with_a_clear_error() {
    let server = FakeBotApi::start().await;
    let app = Application::builder()
        .token("1:wrong")
        .base_url(server.url())
        .build()
        .unwrap();
    let error = app.run_polling(config()).await.unwrap_err();
    assert!(matches!(error, RunError::InvalidToken(_)), "{error:?}");
    assert!(
        error.to_string().contains("rejected the bot token"),
        "{error}"
    );
}

#[tokio::test]
async fn lifecycle_hooks_run_in_order() {
    let server = FakeBotApi::start().await;
    push_messages(&server, 1).await;
    let order = Arc::new(Mutex::new(Vec::new()));
    let hook = |name: &'static str| {
        let order = order.clone();
        move |_app: Application<Seen>| {
            let order = order.clone();
            async move {
                order.lock().unwrap().push(name);
                Ok(())
            }
        }
    };
    let app = Application::builder()
        .token(server.token())
        .base_url(server.url())
        .state(Seen {
            ids: Mutex::new(Vec::new()),
            expected: 1,
        })
        .post_init(hook("post_init"))
        .post_stop(hook("post_stop"))
        .post_shutdown(hook("post_shutdown"))
        .build()
        .unwrap();
    app.add_handler(TypeHandler::new(|_: &Update| true, record), 0);
    app.run_polling(config()).await.unwrap();
    assert_eq!(
        *order.lock().unwrap(),
        ["post_init", "post_stop", "post_shutdown"]
    );
    assert!(!app.is_running());
}

#[tokio::test]
async fn a_conflict_stops_with_a_clear_error() {
    let server = FakeBotApi::start().await;
    server.inject("getUpdates", Fault::ServerError(409), Schedule::Always);
    let app = app(&server, 1);
    let error = app.run_polling(config()).await.unwrap_err();
    assert!(matches!(error, RunError::Conflict(_)), "{error:?}");
    assert!(
        error.to_string().contains("another instance is polling"),
        "{error}"
    );
}

/// Update ids the error handlers saw as malformed (`None`: no id could be read), and the ids of
/// the stand-in updates they came with.
#[derive(Default)]
struct Reports {
    malformed: Mutex<Vec<Option<i64>>>,
    stand_ins: Mutex<Vec<i64>>,
    reported: tokio::sync::Notify,
}

/// Records malformed-update reports; `record` stops the run after `expected` good updates.
fn reporting_app(server: &FakeBotApi, expected: usize) -> (Application<Seen>, Arc<Reports>) {
    let app = app(server, expected);
    let reports = Arc::new(Reports::default());
    let seen = reports.clone();
    app.add_error_handler(move |update: Arc<Update>, ctx: Context<Seen>| {
        let reports = seen.clone();
        async move {
            if let Some(HandlerError::Malformed(malformed)) = ctx.error.as_deref() {
                reports.malformed.lock().unwrap().push(malformed.update_id);
                reports.stand_ins.lock().unwrap().push(update.update_id);
                reports.reported.notify_waiters();
            }
            Ok(())
        }
    });
    (app, reports)
}

fn text_update(id: i64) -> serde_json::Value {
    serde_json::json!({"update_id": id, "message": {"message_id": 1, "date": 1,
        "chat": {"id": 7, "type": "private"}, "text": "hi"}})
}

#[tokio::test]
async fn a_malformed_update_goes_to_the_error_handlers_and_the_offset_moves_past_it() {
    let server = FakeBotApi::start().await;
    let first = server.push_update(text_update(100));
    let bad =
        server.push_raw_update_json(r#"{"update_id":101,"message":{"message_id":"not a number"}}"#);
    let last = server.push_update(text_update(102));
    let (app, reports) = reporting_app(&server, 2);
    app.run_polling(config()).await.unwrap();
    assert_eq!(*app.state().ids.lock().unwrap(), [first, last]);
    assert_eq!(*reports.malformed.lock().unwrap(), [Some(bad)]);
    assert_eq!(*reports.stand_ins.lock().unwrap(), [bad]);
    assert_eq!(server.confirmed_offset(), last + 1);
}

#[tokio::test]
async fn an_update_id_given_as_a_string_or_a_float_is_read() {
    let server = FakeBotApi::start().await;
    server.push_update(text_update(200));
    // The types refuse these ids, so they are malformed; but their ids are read, reported, and
    // the offset moves past them.
    server.push_raw_update_json(r#"{"update_id":"201","message":{"message_id":1}}"#);
    server.push_raw_update_json(r#"{"update_id":202.0,"message":{"message_id":1}}"#);
    let (app, reports) = reporting_app(&server, 1);
    app.run_polling(config()).await.unwrap();
    assert_eq!(*reports.malformed.lock().unwrap(), [Some(201), Some(202)]);
    assert_eq!(server.confirmed_offset(), 203);
    assert_eq!(server.pending_updates(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_update_id_backs_off_instead_of_polling_in_a_loop() {
    let server = FakeBotApi::start().await;
    server.push_raw_update_json(r#"{"update_id":"oops","message":{"message_id":1}}"#);
    let (app, reports) = reporting_app(&server, 1);
    let runner = {
        let app = app.clone();
        // A backoff this long shows up as "no second call"; the stop ends the wait.
        let config = config().backoff(Backoff::new(
            Duration::from_secs(3600),
            Duration::from_secs(3600),
        ));
        tokio::spawn(async move { app.run_polling(config).await })
    };
    let reported = reports.reported.notified();
    if reports.malformed.lock().unwrap().is_empty() {
        tokio::time::timeout(Duration::from_secs(30), reported)
            .await
            .expect("the unreadable update was not reported");
    }
    // A hot loop would ask again at once; the backoff holds the next call off for an hour.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server.requests_for("getUpdates").len(), 1);
    assert_eq!(*reports.malformed.lock().unwrap(), [None]);
    app.stop_running();
    tokio::time::timeout(Duration::from_secs(30), runner)
        .await
        .expect("the stop did not end the backoff")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn the_largest_update_id_is_handled_then_polling_stops_with_a_clear_error() {
    let server = FakeBotApi::start().await;
    server.push_update(text_update(i64::MAX));
    let app = app(&server, 2);
    let error = app.run_polling(config()).await.unwrap_err();
    assert!(
        matches!(
            error,
            RunError::OffsetOverflow {
                update_id: i64::MAX
            }
        ),
        "{error:?}"
    );
    assert_eq!(*app.state().ids.lock().unwrap(), [i64::MAX]);
}

/// Stops the run at its third update, with the next two `getUpdates` calls (the final offset
/// confirmation and its first retry) failing.
async fn stop_with_failing_confirmation(
    update: Arc<Update>,
    ctx: Context<Confirming>,
) -> HandlerResult {
    let handled = ctx
        .state
        .handled
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        + 1;
    let _ = update;
    if handled == 3 {
        ctx.state
            .server
            .inject("getUpdates", Fault::ServerError(502), Schedule::Times(2));
        ctx.stop_running();
    }
    Ok(())
}

struct Confirming {
    server: FakeBotApi,
    handled: std::sync::atomic::AtomicUsize,
}

#[tokio::test]
async fn the_final_offset_confirmation_is_retried_when_it_fails() {
    let server = FakeBotApi::start().await;
    push_messages(&server, 3).await;
    let app = Application::builder()
        .token(server.token())
        .base_url(server.url())
        .state(Confirming {
            server: server.clone(),
            handled: Default::default(),
        })
        .build()
        .unwrap();
    app.add_handler(
        TypeHandler::new(|_: &Update| true, stop_with_failing_confirmation),
        0,
    );
    app.run_polling(config()).await.unwrap();
    assert_eq!(server.faulted_requests().len(), 2);
    assert_eq!(server.pending_updates(), 0, "the offset was confirmed");
}

/// The 4th update of a batch in valid JSON grammar that the JSON parser refuses, each construct
/// placed where the value is read (serde_json skips an unknown field unread): nesting past both
/// parsers' depth limits (a future kind's payload), a lone surrogate, `1e400`, an integer
/// beyond 64 bits, and all of them at once.
fn refused_update(construct: &str, update_id: i64) -> String {
    let deep = format!("{}{}", "[".repeat(2000), "]".repeat(2000));
    let message = |message_id: &str, date: &str, text: &str| {
        format!(
            r#""message":{{"message_id":{message_id},"date":{date},"chat":{{"id":7,"type":"private"}},"text":"{text}"}}"#
        )
    };
    let big = "123456789012345678901234567890";
    let body = match construct {
        "nesting" => format!(r#""future_kind":{deep}"#),
        "lone surrogate" => message("1", "1", r"\ud83d"),
        "1e400" => message("1", "1e400", "hi"),
        "beyond 64 bits" => message(big, "1", "hi"),
        "all" => format!(
            r#""future_kind":{deep},{}"#,
            message(big, "1e400", r"\ud83d")
        ),
        other => panic!("no construct {other}"),
    };
    format!(r#"{{"update_id":{update_id},{body}}}"#)
}

/// Run on both JSON backends: `cargo test -p telegram-ext --test polling` (simd-json) and
/// `cargo test -p telegram-ext --test polling --no-default-features` (serde_json).
#[tokio::test]
async fn an_update_the_parser_refuses_is_reported_and_the_other_six_are_handled() {
    let backend = telegram_ext::types::json::BACKEND;
    for construct in [
        "nesting",
        "lone surrogate",
        "1e400",
        "beyond 64 bits",
        "all",
    ] {
        let server = FakeBotApi::start().await;
        let ids: Vec<i64> = (0..7)
            .map(|i| match i {
                3 => server.push_raw_update_json(refused_update(construct, 303)),
                _ => server.push_update(text_update(300 + i)),
            })
            .collect();
        assert_eq!(ids, [300, 301, 302, 303, 304, 305, 306]);
        let (app, reports) = reporting_app(&server, 6);
        // Without the fallback the batch never decodes and the run never stops: fail instead.
        tokio::time::timeout(Duration::from_secs(30), app.run_polling(config()))
            .await
            .unwrap_or_else(|_| panic!("{construct} on {backend}: the batch was never handled"))
            .unwrap();
        let handled = app.state().ids.lock().unwrap().clone();
        assert_eq!(
            handled,
            [300, 301, 302, 304, 305, 306],
            "{construct} on {backend}"
        );
        assert_eq!(
            *reports.malformed.lock().unwrap(),
            [Some(303)],
            "{construct} on {backend}"
        );
        assert_eq!(server.confirmed_offset(), 307, "{construct} on {backend}");
        assert_eq!(server.pending_updates(), 0, "{construct} on {backend}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_whose_updates_cannot_be_told_apart_backs_off_instead_of_spinning() {
    let server = FakeBotApi::start().await;
    server.push_update(text_update(400));
    // Cut short: its braces swallow the rest of the body, so no update boundary can be found
    // (every update of the body is unreadable; the decoder says so and polling backs off).
    server.push_raw_update_json(r#"{"update_id":401,"message":{"text":"cut short"#);
    let (app, reports) = reporting_app(&server, 1);
    let runner = {
        let app = app.clone();
        tokio::spawn(async move { app.run_polling(config()).await })
    };
    let mut times = Vec::new();
    for _ in 0..4 {
        let request = server.next_request("getUpdates").await.unwrap();
        times.push(request.received_at);
    }
    app.stop_running();
    tokio::time::timeout(Duration::from_secs(30), runner)
        .await
        .expect("the stop did not end the backoff")
        .unwrap()
        .unwrap();
    assert!(app.state().ids.lock().unwrap().is_empty());
    assert!(reports.malformed.lock().unwrap().is_empty());
    // Backoff of 50 ms doubling, jittered down to half: a hot loop would ask again at once.
    for (gap, max_ms) in times.windows(2).zip([50, 100, 200]) {
        let gap = gap[1] - gap[0];
        assert!(
            gap >= Duration::from_millis(max_ms / 2),
            "asked again after {gap:?}"
        );
    }
}
