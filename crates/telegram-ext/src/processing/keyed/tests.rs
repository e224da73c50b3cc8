//! Tests of the keyed processor: per-key order, cross-key concurrency, the global limit,
//! multi-key updates, blocked keys, draining.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use serde_json::json;
use telegram_types::Update;
use tokio::sync::{Barrier, Notify};

use super::Keyed;
use crate::processing::UpdateProcessor;

/// Fails a test that deadlocks instead of hanging it; never used to wait for an effect.
const DEADLOCK: Duration = Duration::from_secs(30);

fn chat_update(chat: i64, user: i64) -> Arc<Update> {
    Arc::new(
        serde_json::from_value(json!({"update_id": 1, "message": {
            "message_id": 1, "date": 0, "text": "hi",
            "chat": {"id": chat, "type": "group", "title": "g"},
            "from": {"id": user, "is_bot": false, "first_name": "U"},
        }}))
        .expect("test JSON is a valid update"),
    )
}

/// Keys are the words of the message text: `"a b"` is a two-key update, `""` a keyless one.
fn by_words(limit: usize) -> Keyed<String> {
    Keyed::new(limit, |update: &Update| {
        let text = update
            .effective_message()
            .and_then(|m| m.text.as_deref())
            .unwrap_or("");
        text.split_whitespace().map(str::to_owned).collect()
    })
}

fn words(text: &str) -> Arc<Update> {
    Arc::new(
        serde_json::from_value(json!({"update_id": 1, "message": {
            "message_id": 1, "date": 0, "text": text,
            "chat": {"id": 1, "type": "private", "first_name": "U"},
        }}))
        .expect("test JSON is a valid update"),
    )
}

fn poll_once<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
    Pin::new(future).poll(&mut Context::from_waker(Waker::noop()))
}

/// An in-flight counter with its recorded maximum.
#[derive(Debug, Default)]
struct Gauge {
    now: AtomicUsize,
    max: AtomicUsize,
}

impl Gauge {
    fn enter(&self) {
        let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.max.fetch_max(now, Ordering::SeqCst);
    }

    fn leave(&self) {
        self.now.fetch_sub(1, Ordering::SeqCst);
    }

    fn max(&self) -> usize {
        self.max.load(Ordering::SeqCst)
    }
}

/// xorshift64: seeded, reproducible handler latencies.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

async fn yields(n: u64) {
    for _ in 0..n {
        tokio::task::yield_now().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn same_chat_keeps_order_while_chats_run_concurrently() {
    const CHATS: usize = 100;
    const MESSAGES: usize = 50;
    let keyed = Keyed::by_chat(64);
    let log = Arc::new(Mutex::new(vec![Vec::new(); CHATS]));
    let per_chat: Arc<Vec<Gauge>> = Arc::new((0..CHATS).map(|_| Gauge::default()).collect());
    let all = Arc::new(Gauge::default());
    // Chats 0 and 1 meet here with their first message: proof that chats overlap.
    let meet = Arc::new(Barrier::new(2));
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let run = async {
        for seq in 0..MESSAGES {
            for chat in 0..CHATS {
                let (log, per_chat, all, meet) =
                    (log.clone(), per_chat.clone(), all.clone(), meet.clone());
                let latency = rng.below(16);
                let work = async move {
                    all.enter();
                    per_chat[chat].enter();
                    log.lock().expect("not poisoned")[chat].push(seq);
                    if seq == 0 && chat < 2 {
                        meet.wait().await;
                    }
                    yields(latency).await;
                    per_chat[chat].leave();
                    all.leave();
                };
                keyed
                    .submit(chat_update(chat as i64, 1), Box::pin(work))
                    .await;
            }
        }
        keyed.drain().await;
    };
    tokio::time::timeout(DEADLOCK, run)
        .await
        .expect("all chats complete");

    let log = log.lock().expect("not poisoned");
    for (chat, seqs) in log.iter().enumerate() {
        assert_eq!(
            *seqs,
            (0..MESSAGES).collect::<Vec<_>>(),
            "chat {chat} in order"
        );
        assert_eq!(per_chat[chat].max(), 1, "chat {chat} one at a time");
    }
    assert!(all.max() > 1, "chats ran concurrently");
    assert!(all.max() <= 64, "the limit held");
    assert!(keyed.key_queues().is_empty(), "idle keys are removed");
    assert_eq!(
        (keyed.in_flight(), keyed.queued(), keyed.available()),
        (0, 0, 64)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_blocked_chat_does_not_stall_the_others() {
    let keyed = Keyed::by_chat(16);
    let release = Arc::new(Notify::new());
    let blocked_ran = Arc::new(AtomicUsize::new(0));
    for seq in 0..4 {
        let (release, blocked_ran) = (release.clone(), blocked_ran.clone());
        let work = async move {
            if seq == 0 {
                release.notified().await;
            }
            blocked_ran.fetch_add(1, Ordering::SeqCst);
        };
        keyed.submit(chat_update(0, 1), Box::pin(work)).await;
    }
    let others_done = Arc::new(AtomicUsize::new(0));
    let all_done = Arc::new(Notify::new());
    let others = async {
        for _ in 0..5 {
            for chat in 1..=10 {
                let (others_done, all_done) = (others_done.clone(), all_done.clone());
                let work = async move {
                    tokio::task::yield_now().await;
                    if others_done.fetch_add(1, Ordering::SeqCst) + 1 == 50 {
                        all_done.notify_one();
                    }
                };
                keyed.submit(chat_update(chat, 1), Box::pin(work)).await;
            }
        }
        all_done.notified().await;
    };
    tokio::time::timeout(DEADLOCK, others)
        .await
        .expect("the other chats complete");

    assert_eq!(blocked_ran.load(Ordering::SeqCst), 0, "chat 0 still blocks");
    assert!(keyed.key_queues().contains(&("0".to_owned(), 4)));
    assert_eq!(keyed.queued(), 3);
    release.notify_one();
    tokio::time::timeout(DEADLOCK, keyed.drain())
        .await
        .expect("drained");
    assert_eq!(blocked_ran.load(Ordering::SeqCst), 4);
    assert!(keyed.key_queues().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_global_limit_caps_in_flight_exactly() {
    const LIMIT: usize = 4;
    let keyed = Arc::new(Keyed::by_chat(LIMIT));
    let gauge = Arc::new(Gauge::default());
    let seen_in_flight = Arc::new(AtomicUsize::new(0));
    // Every update waits for LIMIT running ones: the limit is reached, and each batch of
    // LIMIT distinct chats passes together.
    let full = Arc::new(Barrier::new(LIMIT));
    let run = async {
        for chat in 0..(LIMIT * 5) as i64 {
            let (keyed_, gauge, seen, full) = (
                keyed.clone(),
                gauge.clone(),
                seen_in_flight.clone(),
                full.clone(),
            );
            let work = async move {
                gauge.enter();
                seen.fetch_max(keyed_.in_flight(), Ordering::SeqCst);
                full.wait().await;
                gauge.leave();
            };
            keyed.submit(chat_update(chat, 1), Box::pin(work)).await;
            assert!(keyed.in_flight() <= LIMIT);
        }
        keyed.drain().await;
    };
    tokio::time::timeout(DEADLOCK, run)
        .await
        .expect("all batches complete");
    assert_eq!(gauge.max(), LIMIT);
    assert!(seen_in_flight.load(Ordering::SeqCst) <= LIMIT);
}

#[tokio::test]
async fn submit_waits_while_the_limit_is_reached() {
    let keyed = Keyed::by_chat(2);
    let release = Arc::new(Notify::new());
    let notified = release.clone();
    let first = async move { notified.notified().await };
    keyed.submit(chat_update(1, 1), Box::pin(first)).await;
    // Waits for chat 1's first update, holding the second slot.
    keyed.submit(chat_update(1, 1), Box::pin(async {})).await;
    assert_eq!((keyed.available(), keyed.queued()), (0, 1));

    let ran = Arc::new(AtomicBool::new(false));
    let flag = ran.clone();
    let mut third = keyed.submit(
        chat_update(2, 1),
        Box::pin(async move { flag.store(true, Ordering::SeqCst) }),
    );
    assert!(poll_once(&mut third).is_pending(), "no slot for chat 2");
    assert!(poll_once(&mut keyed.wait_available()).is_pending());

    release.notify_one();
    tokio::time::timeout(DEADLOCK, third)
        .await
        .expect("admitted once a slot frees");
    keyed.drain().await;
    assert!(ran.load(Ordering::SeqCst));
    assert_eq!(keyed.available(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn multi_key_updates_keep_per_key_order_without_deadlock() {
    const PATTERN: [&str; 8] = ["a b", "b a", "a", "b", "c a", "", "b c", "c"];
    let keyed = by_words(8);
    let logs: Arc<[Mutex<Vec<usize>>; 3]> = Arc::new(Default::default());
    let gauges: Arc<[Gauge; 3]> = Arc::new(Default::default());
    let keyless = Arc::new(AtomicUsize::new(0));
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let texts: Vec<&str> = (0..400).map(|i| PATTERN[i % PATTERN.len()]).collect();
    let run = async {
        for (index, text) in texts.iter().enumerate() {
            let keys: Vec<usize> = text.split_whitespace().map(slot_of).collect();
            let (logs, gauges, keyless) = (logs.clone(), gauges.clone(), keyless.clone());
            let latency = rng.below(8);
            let work = async move {
                for &key in &keys {
                    gauges[key].enter();
                    logs[key].lock().expect("not poisoned").push(index);
                }
                if keys.is_empty() {
                    keyless.fetch_add(1, Ordering::SeqCst);
                }
                yields(latency).await;
                keys.iter().for_each(|&key| gauges[key].leave());
            };
            keyed.submit(words(text), Box::pin(work)).await;
        }
        keyed.drain().await;
    };
    tokio::time::timeout(DEADLOCK, run)
        .await
        .expect("no deadlock");

    for (key, name) in ["a", "b", "c"].iter().enumerate() {
        let expected: Vec<usize> = (0..texts.len())
            .filter(|&i| texts[i].split_whitespace().any(|word| word == *name))
            .collect();
        assert_eq!(
            *logs[key].lock().expect("not poisoned"),
            expected,
            "key {name} in order"
        );
        assert_eq!(gauges[key].max(), 1, "key {name} one at a time");
    }
    assert_eq!(keyless.load(Ordering::SeqCst), 50, "keyless updates ran");
    assert!(keyed.key_queues().is_empty());
}

fn slot_of(word: &str) -> usize {
    usize::from(word.as_bytes()[0] - b'a')
}

#[tokio::test]
async fn keyless_updates_run_concurrently_beside_a_blocked_key() {
    let keyed = by_words(4);
    let release = Arc::new(Notify::new());
    let notified = release.clone();
    keyed
        .submit(
            words("a"),
            Box::pin(async move { notified.notified().await }),
        )
        .await;
    let together = Arc::new(Barrier::new(3));
    let done = Arc::new(AtomicUsize::new(0));
    let all_done = Arc::new(Notify::new());
    for _ in 0..3 {
        let (together, done, all_done) = (together.clone(), done.clone(), all_done.clone());
        let work = async move {
            together.wait().await;
            if done.fetch_add(1, Ordering::SeqCst) + 1 == 3 {
                all_done.notify_one();
            }
        };
        keyed.submit(words(""), Box::pin(work)).await;
    }
    tokio::time::timeout(DEADLOCK, all_done.notified())
        .await
        .expect("keyless ran");
    assert_eq!(keyed.key_queues(), vec![("\"a\"".to_owned(), 1)]);
    release.notify_one();
    keyed.drain().await;
    assert!(keyed.key_queues().is_empty());
}

#[tokio::test]
async fn queued_counts_updates_waiting_for_their_key() {
    let keyed = by_words(8);
    let release = Arc::new(Notify::new());
    let notified = release.clone();
    keyed
        .submit(
            words("a"),
            Box::pin(async move { notified.notified().await }),
        )
        .await;
    keyed.submit(words("a b"), Box::pin(async {})).await;
    keyed.submit(words("b"), Box::pin(async {})).await;
    assert_eq!(keyed.queued(), 2, "`a b` waits for `a`, `b` for `a b`");
    let mut queues = keyed.key_queues();
    queues.sort();
    assert_eq!(
        queues,
        vec![("\"a\"".to_owned(), 2), ("\"b\"".to_owned(), 2)]
    );
    assert_eq!(keyed.available(), 5);

    release.notify_one();
    keyed.drain().await;
    assert_eq!(
        (keyed.queued(), keyed.in_flight(), keyed.available()),
        (0, 0, 8)
    );
    assert!(keyed.key_queues().is_empty());
}

#[tokio::test]
async fn drain_waits_for_queued_updates() {
    let keyed = by_words(4);
    let release = Arc::new(Notify::new());
    let notified = release.clone();
    keyed
        .submit(
            words("a"),
            Box::pin(async move { notified.notified().await }),
        )
        .await;
    let ran = Arc::new(AtomicBool::new(false));
    let flag = ran.clone();
    keyed
        .submit(
            words("a"),
            Box::pin(async move { flag.store(true, Ordering::SeqCst) }),
        )
        .await;

    let mut drain = keyed.drain();
    assert!(poll_once(&mut drain).is_pending());
    release.notify_one();
    drain.await;
    assert!(
        ran.load(Ordering::SeqCst),
        "the queued update ran before drain returned"
    );
    assert!(keyed.key_queues().is_empty());
}

#[tokio::test]
async fn a_panicking_update_still_advances_its_key() {
    let keyed = by_words(4);
    keyed
        .submit(words("a"), Box::pin(async { panic!("handler bug") }))
        .await;
    let ran = Arc::new(AtomicBool::new(false));
    let flag = ran.clone();
    keyed
        .submit(
            words("a"),
            Box::pin(async move { flag.store(true, Ordering::SeqCst) }),
        )
        .await;
    tokio::time::timeout(DEADLOCK, keyed.drain())
        .await
        .expect("not wedged");
    assert!(ran.load(Ordering::SeqCst));
    assert!(keyed.key_queues().is_empty());
    assert_eq!((keyed.in_flight(), keyed.available()), (0, 4));
}

#[test]
fn built_in_keys_read_the_effective_chat_and_user() {
    let update = chat_update(-100, 42);
    assert_eq!(Keyed::by_chat(1).keys(&update), vec![-100]);
    assert_eq!(Keyed::by_user(1).keys(&update), vec![42]);
    assert_eq!(Keyed::by_chat_and_user(1).keys(&update), vec![(-100, 42)]);
    let unknown: Update = serde_json::from_value(json!({"update_id": 2, "future_kind": {}}))
        .expect("unknown kinds decode");
    assert!(Keyed::by_chat(1).keys(&unknown).is_empty());
    assert!(Keyed::by_chat_and_user(1).keys(&unknown).is_empty());
    assert_eq!(
        Keyed::new(1, |_: &Update| vec![2, 1, 2, 1]).keys(&update),
        vec![2, 1]
    );
}
