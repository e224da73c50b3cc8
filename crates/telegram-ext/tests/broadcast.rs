//! `Broadcast` against the fake server with its flood model on: an interrupted broadcast to
//! 5 000 chats resumes and sends every chat the message exactly once; blocked users are
//! reported; a crash between a send and its record is never sent twice.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use telegram_ext::broadcast::{Broadcast, BroadcastProgress, Delivery};
use telegram_store::{MemoryStore, Store};
use telegram_test::{FakeBotApi, FloodModel};
use telegram_transport::{Bot, Limits, Rate};
use tokio::sync::watch;

/// Waits (at most 60 s) until the progress satisfies `done`.
async fn wait_for(
    progress: &mut watch::Receiver<BroadcastProgress>,
    done: impl Fn(&BroadcastProgress) -> bool,
) -> BroadcastProgress {
    let seen = tokio::time::timeout(Duration::from_secs(60), progress.wait_for(|p| done(p)))
        .await
        .expect("the broadcast made no progress for a minute")
        .expect("the broadcast is gone");
    seen.clone()
}

/// Messages delivered per chat.
fn deliveries(server: &FakeBotApi) -> HashMap<i64, usize> {
    let mut per_chat = HashMap::new();
    for request in server.requests_for("sendMessage") {
        if request.status == Some(200) {
            *per_chat
                .entry(request.chat_id().unwrap_or_default())
                .or_default() += 1;
        }
    }
    per_chat
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_broadcast_to_5000_chats_resumes_and_sends_each_exactly_once() {
    let server = FakeBotApi::builder()
        .flood_model(
            FloodModel::telegram()
                .global(1000, Duration::from_secs(1))
                .private_chat(5, Duration::from_secs(1)),
        )
        .start()
        .await;
    let chats: Vec<i64> = (0..5000)
        .map(|i| server.user(&format!("u{i}")).id())
        .collect();
    let blocked: Vec<i64> = (0..5000)
        .step_by(100)
        .map(|i| {
            let user = server.user(&format!("u{i}"));
            user.block_bot();
            user.id()
        })
        .collect();
    let bot = Bot::new(server.token())
        .with_api_url(server.url())
        .with_rate_limit(
            Limits::telegram()
                .global(Rate::per_second(1000))
                .private_chat(Rate::per_second(5)),
        );
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let send = |bot: Bot, chat: i64| async move { bot.send_message(chat, "news").await };

    // The first run is dropped (the application stops) after 2 000 deliveries.
    let first = Broadcast::new(bot.clone(), Arc::clone(&store), "news-1", chats.clone());
    let mut progress = first.progress();
    let running = tokio::spawn(first.run(send));
    wait_for(&mut progress, |p| p.sent >= 2000).await;
    running.abort();
    assert!(running.await.unwrap_err().is_cancelled());
    // Sends already on their way finish and record their outcome.
    let interrupted = wait_for(&mut progress, |p| p.in_flight == 0).await;
    assert!(interrupted.remaining > 0, "{interrupted:?}");

    let second = Broadcast::new(bot, Arc::clone(&store), "news-1", chats.clone());
    let report = second.run(send).await.unwrap();

    let delivered = deliveries(&server);
    for chat in &chats {
        let expected = usize::from(!blocked.contains(chat));
        assert_eq!(
            delivered.get(chat).copied().unwrap_or(0),
            expected,
            "chat {chat}"
        );
    }
    assert_eq!(report.progress.sent, 4950);
    assert_eq!(report.progress.blocked, 50);
    assert_eq!(report.progress.remaining, 0);
    assert!(report.uncertain.is_empty(), "{:?}", report.uncertain);
    let mut reported: Vec<i64> = report.blocked.iter().map(|(chat, _)| *chat).collect();
    reported.sort_unstable();
    let mut expected = blocked.clone();
    expected.sort_unstable();
    assert_eq!(reported, expected);
    assert!(report.blocked[0].1.contains("blocked by the user"));
    // The limiter kept the whole broadcast under the server's limits.
    assert_eq!(server.flood_refusals(), 0);
}

#[tokio::test]
async fn a_send_cut_off_by_a_crash_is_not_repeated_unless_asked() {
    let server = FakeBotApi::start().await;
    let chats: Vec<i64> = (0..4).map(|i| server.user(&format!("c{i}")).id()).collect();
    let bot = Bot::new(server.token()).with_api_url(server.url());
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    // What a process killed between a send and its record leaves behind.
    let key = format!("tg:123456789:broadcast:crash:{}", chats[0]);
    store
        .put(key.as_bytes(), "sending".into(), None, None)
        .await
        .unwrap();
    let send = |bot: Bot, chat: i64| async move { bot.send_message(chat, "hi").await };

    let report = Broadcast::new(bot.clone(), Arc::clone(&store), "crash", chats.clone())
        .run(send)
        .await
        .unwrap();
    assert_eq!(report.uncertain, [chats[0]]);
    assert_eq!(report.progress.sent, 3);
    assert_eq!(deliveries(&server).get(&chats[0]), None);

    // Run again: nothing is sent twice.
    let again = Broadcast::new(bot.clone(), Arc::clone(&store), "crash", chats.clone())
        .run(send)
        .await
        .unwrap();
    assert_eq!(again.progress.sent, 3);
    assert_eq!(server.requests_for("sendMessage").len(), 3);

    // At least once: the uncertain chat is sent to.
    let at_least = Broadcast::new(bot, store, "crash", chats.clone())
        .delivery(Delivery::AtLeastOnce)
        .run(send)
        .await
        .unwrap();
    assert_eq!(at_least.progress.sent, 4);
    assert!(at_least.uncertain.is_empty());
    assert_eq!(deliveries(&server).get(&chats[0]), Some(&1));
}

#[tokio::test]
async fn a_stop_token_ends_the_run_with_a_report() {
    let server = FakeBotApi::start().await;
    let chats: Vec<i64> = (0..20)
        .map(|i| server.user(&format!("s{i}")).id())
        .collect();
    let bot = Bot::new(server.token()).with_api_url(server.url());
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let broadcast = Broadcast::new(bot, store, "stopped", chats).concurrency(1);
    let stop = broadcast.stop_token();
    stop.cancel();
    let report = broadcast
        .run(|bot: Bot, chat: i64| async move { bot.send_message(chat, "x").await })
        .await
        .unwrap();
    assert!(report.stopped);
    assert_eq!(report.progress.remaining, 20);
    assert!(server.requests_for("sendMessage").is_empty());
}
