//! The scale-out run on a real Redis server: 3 replicas of the `replicas` example's bot behind
//! the fake server's webhook sender, 100 chats × 50 messages, one replica killed with
//! `SIGKILL` after a seeded number of replies. Every message is handled, every chat's replies
//! come in order (a reply may repeat only for an update redelivered after the kill), every
//! chat's conversation goes question then greeting, every per-chat counter is exact, and no
//! lock stays held after its lease.
//!
//! The replicas are this test binary re-executed (no harness: `main` picks the role). The
//! server's URL comes from `TELEGRAM_TEST_REDIS_URL`; without it the test says it is skipped
//! and passes. `REPLICAS_SEED` picks another kill (default 15).

#![allow(clippy::print_stdout)]

#[path = "../replicas.rs"]
mod replicas;

use std::time::Duration;

use replicas::{print_outcome, run_cluster, run_if_replica, Scenario};

const URL_VAR: &str = "TELEGRAM_TEST_REDIS_URL";

fn main() {
    if run_if_replica() {
        return;
    }
    let Some(url) = std::env::var(URL_VAR).ok().filter(|url| !url.is_empty()) else {
        eprintln!("skipped: {URL_VAR} is not set");
        return;
    };
    let seed = std::env::var("REPLICAS_SEED")
        .ok()
        .and_then(|seed| seed.parse().ok())
        .unwrap_or(15);
    let scenario = Scenario {
        replicas: 3,
        chats: 100,
        messages: 50,
        seed,
        lease: Duration::from_secs(2),
    };
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let outcome = runtime
        .block_on(run_cluster(&url, scenario))
        .expect("the cluster runs");
    print_outcome(&scenario, &outcome);

    assert_eq!(
        outcome.replies.len(),
        scenario.chats,
        "every chat got replies"
    );
    assert_eq!(
        outcome.chats_out_of_order(scenario.messages),
        Vec::<i64>::new(),
        "every message handled, every chat's replies in order"
    );
    assert_eq!(
        outcome.wrong_counters(scenario.messages),
        Vec::new(),
        "every per-chat counter exact"
    );
    assert_eq!(outcome.counters.len(), scenario.chats);
    assert_eq!(outcome.conversations.len(), scenario.chats);
    assert_eq!(
        outcome.broken_conversations(),
        Vec::<i64>::new(),
        "every chat's conversation asked, then greeted"
    );
    assert!(
        outcome.webhook.connection_errors > 0,
        "the kill cost deliveries that were redelivered"
    );
    assert_eq!(outcome.locks_held.1, 0, "no lock held after its lease");
    assert_eq!(
        outcome.webhook.delivered,
        (scenario.chats * scenario.messages) as u64
    );
}
