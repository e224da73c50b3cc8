//! With no error handler registered, a handler's error is logged at ERROR with the update id
//! and the whole error chain (python-telegram-bot prints a traceback per error).

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::json;
use telegram_ext::data::ChatSlot;
use telegram_ext::handlers::TypeHandler;
use telegram_ext::{Application, Context, HandlerResult, MemoryStore, Store, Update};

/// Everything the subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const COUNTER: ChatSlot<u64> = ChatSlot::new("counter");

async fn count(_: Arc<Update>, ctx: Context) -> HandlerResult {
    ctx.update(&COUNTER, |n| *n += 1).await?;
    Ok(())
}

#[tokio::test(flavor = "current_thread")]
async fn an_unhandled_error_is_logged_with_the_update_id_and_its_chain() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::ERROR)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let store = Arc::new(MemoryStore::new());
    store
        .put(b"tg:7:chat:-3:counter", "not json".into(), None, None)
        .await
        .unwrap();
    let app = Application::builder()
        .token("7:x")
        .shared_store(store)
        .build()
        .unwrap();
    app.add_handler(TypeHandler::new(|_: &Update| true, count), 0);
    let update: Update = serde_json::from_value(json!({"update_id": 31337, "message": {
        "message_id": 1, "date": 1, "chat": {"id": -3, "type": "group", "title": "g"},
        "text": "hi"}}))
    .unwrap();
    app.submit_update(update).await;

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("ERROR"), "{log}");
    assert!(log.contains("update_id=31337"), "{log}");
    // The chain: the data error, then why the value could not be read, then serde's reason.
    assert!(log.contains("cannot read the stored value at `tg:7:chat:-3:counter`: not a versioned JSON value: expected"), "{log}");
}
