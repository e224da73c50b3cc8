//! Shared by the crash tests (`polling_crash`, `webhook_crash`): what the parent reads after a
//! child died (the update ids under a key prefix of the SQLite file the children share, the
//! replies the fake Bot API recorded) and the graceful stop of the last child.

#![allow(dead_code, unreachable_pub)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Child, Command};
use std::sync::mpsc;
use std::time::Duration;

use telegram_ext::data::Data;
use telegram_ext::store::SqliteStore;
use telegram_ext::Store;
use telegram_test::FakeBotApi;

/// The update ids under `tg:{bot_id}:{kind}:` (`completed`, `journal`) in the SQLite file at
/// `path`: the completed-updates record, or the update journal, as a dead child left it.
pub async fn ids_under(path: &Path, token: &str, kind: &str) -> BTreeSet<i64> {
    let store = SqliteStore::open(path).expect("the children's store file opens");
    let prefix = format!("{}{kind}:", Data::prefix_for_token(token));
    let mut ids = BTreeSet::new();
    let mut after: Option<bytes::Bytes> = None;
    loop {
        let page = store
            .scan(prefix.as_bytes(), after.as_deref(), 500)
            .await
            .expect("scan the store");
        for (key, _) in &page.entries {
            let id = std::str::from_utf8(&key[prefix.len()..])
                .ok()
                .and_then(|id| id.parse().ok())
                .expect("the key ends in an update id");
            ids.insert(id);
        }
        match page.next {
            Some(next) => after = Some(next),
            None => return ids,
        }
    }
}

/// How many times the bot answered each update: the `sendMessage` calls the server recorded,
/// whose text is `done {update_id}`.
pub fn answers(server: &FakeBotApi) -> BTreeMap<i64, usize> {
    let mut answers: BTreeMap<i64, usize> = BTreeMap::new();
    for request in server.requests_for("sendMessage") {
        let id = request
            .text()
            .and_then(|text| text.strip_prefix("done "))
            .and_then(|id| id.parse().ok())
            .expect("a reply names its update");
        *answers.entry(id).or_default() += 1;
    }
    answers
}

/// Stops a child that runs with stop signals on: `SIGTERM`, then its graceful stop finishes
/// what it had received (with a journal, an update confirmed to Telegram may still be in
/// processing). Fails when it has not exited within `timeout`.
pub fn stop_gracefully(mut child: Child, timeout: Duration) {
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(sent.success(), "SIGTERM the child");
    let (exited, exit) = mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let status = child.wait();
        let _ = exited.send(());
        status
    });
    exit.recv_timeout(timeout)
        .expect("the child stops gracefully in time");
    let status = waiter
        .join()
        .expect("the waiting thread")
        .expect("reap the child");
    assert!(status.success(), "the child stopped cleanly: {status}");
}
