//! `RedisLocks` across real processes on a real Redis server.
//!
//! - Two child processes (this test binary re-executed; `main` picks the role) with three tasks
//!   each lock overlapping key sets with `lock_many`, keys given in random order, and bump a
//!   counter per key with a plain `GET` then `SET` (not atomic: only the lock keeps increments
//!   from being lost). Every counter must end exact, every fencing token must be unique per
//!   key, and neither child may hit its deadlock deadline.
//! - A child holds two keys (its lease renewed); another child waits for one of them. The
//!   holder outlives several leases while the waiter waits; then the parent kills it with
//!   `SIGKILL`, and the waiter takes the key once the lease runs out, with a larger fencing
//!   token.
//! - In one process: release on drop, fencing order, a lost lease reported by the guard.
//!
//! The server's URL comes from `TELEGRAM_TEST_REDIS_URL`; without it the test says it is
//! skipped and passes.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use telegram_store::{RedisLocks, RedisStore};

const URL_VAR: &str = "TELEGRAM_TEST_REDIS_URL";
/// The child's role (`contend`, `hold`, `take`); set only in children.
const ROLE_VAR: &str = "TELEGRAM_LOCKS_CHILD_ROLE";
/// The namespace the children share.
const NS_VAR: &str = "TELEGRAM_LOCKS_CHILD_NS";
/// Tasks per contending child.
const TASKS: usize = 3;
/// Critical sections each task runs.
const ROUNDS: usize = 120;
/// The key sets contenders lock: every pair overlaps, and the last takes all three.
const SETS: [&[&str]; 4] = [&["a", "b"], &["b", "c"], &["c", "a"], &["a", "b", "c"]];
/// A contending child that has not finished by then is deadlocked; it exits with 3.
const DEADLOCK: Duration = Duration::from_secs(120);
/// The lease in the kill test.
const KILL_LEASE: Duration = Duration::from_millis(600);

fn main() {
    if let Ok(role) = std::env::var(ROLE_VAR) {
        child(&role);
        return;
    }
    let Some(url) = std::env::var(URL_VAR).ok().filter(|url| !url.is_empty()) else {
        eprintln!("skipped: {URL_VAR} is not set");
        return;
    };
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(in_process_checks(&url));
    two_processes_contend_on_overlapping_sets_without_deadlock(&url);
    a_killed_holder_is_taken_over_after_its_lease(&url);
    eprintln!("redis_locks: all checks passed");
}

fn namespace(test: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos());
    format!("telegram-locks-test:{}:{nanos}:{test}:", std::process::id())
}

async fn store(url: &str, ns: &str) -> RedisStore {
    RedisStore::connect(url)
        .await
        .expect("the test server answers")
        .with_prefix(ns)
}

/// Deletes every Redis key of `ns`.
fn clean(url: &str, ns: &str) {
    let mut conn = redis::Client::open(url)
        .and_then(|client| client.get_connection())
        .expect("connect to clean up");
    let keys: Vec<Vec<u8>> = redis::cmd("KEYS")
        .arg(format!("{ns}*"))
        .query(&mut conn)
        .expect("KEYS");
    for key in keys {
        let _: i64 = redis::cmd("DEL").arg(key).query(&mut conn).expect("DEL");
    }
}

async fn in_process_checks(url: &str) {
    let ns = namespace("in-process");
    let locks = store(url, &ns)
        .await
        .locks()
        .with_lease(Duration::from_millis(300));

    // Release on drop: the next holder gets the key without waiting for the lease.
    let first = locks.lock("k").await.expect("lock");
    let fence = first.fencing_token("k").expect("held");
    let mut second = Box::pin(locks.lock("k"));
    assert!(
        futures_poll(&mut second).is_none(),
        "k is held, the second lock waits"
    );
    drop(first);
    let second = second.await.expect("k freed on drop");
    assert!(
        second.fencing_token("k").expect("held") > fence,
        "fencing grows"
    );
    assert!(locks.is_locked("k").await.expect("EXISTS"));
    second.release().await.expect("release");
    assert!(!locks.is_locked("k").await.expect("EXISTS"), "released");

    // Canonical order: the keys come back sorted, duplicates removed.
    let guard = locks.lock_many(["z", "x", "z", "y"]).await.expect("lock");
    let keys: Vec<&[u8]> = guard.keys().collect();
    assert_eq!(keys, [&b"x"[..], b"y", b"z"]);
    // Renewal keeps the keys past several leases while the guard lives.
    let until = Instant::now() + Duration::from_millis(1000);
    while Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(locks.is_locked("x").await.expect("EXISTS"), "renewed");
    }
    assert!(guard.is_held());

    // A holder whose key was taken from it (here: deleted by hand, then taken by another)
    // learns it at the next renewal; its release leaves the new holder's key alone.
    let mut conn = redis::Client::open(url)
        .and_then(|client| client.get_connection())
        .expect("connect");
    let _: i64 = redis::cmd("DEL")
        .arg(format!("{ns}l:y"))
        .query(&mut conn)
        .expect("DEL");
    let thief = locks.lock("y").await.expect("y is free");
    guard.lost().await;
    assert!(!guard.is_held());
    guard.release().await.expect("release");
    assert!(
        locks.is_locked("y").await.expect("EXISTS"),
        "the thief keeps y"
    );
    assert!(!locks.is_locked("x").await.expect("EXISTS"));
    drop(thief);
    clean(url, &ns);
    eprintln!("in-process: release on drop, canonical order, renewal, lost lease: ok");
}

/// Polls a future once; `Some` when it finished.
fn futures_poll<F: std::future::Future + Unpin>(future: &mut F) -> Option<F::Output> {
    let waker = std::task::Waker::noop();
    match std::pin::Pin::new(future).poll(&mut std::task::Context::from_waker(waker)) {
        std::task::Poll::Ready(output) => Some(output),
        std::task::Poll::Pending => None,
    }
}

fn spawn_child(url: &str, ns: &str, role: &str) -> Child {
    Command::new(std::env::current_exe().expect("this test binary"))
        .env(ROLE_VAR, role)
        .env(NS_VAR, ns)
        .env(URL_VAR, url)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the child starts")
}

/// Forwards each line a child prints, tagged with `tag`, until its stdout closes.
fn forward(child: &mut Child, tag: &'static str, lines: mpsc::Sender<(&'static str, String)>) {
    let stdout = child.stdout.take().expect("piped stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if lines.send((tag, line)).is_err() {
                break;
            }
        }
    });
}

fn two_processes_contend_on_overlapping_sets_without_deadlock(url: &str) {
    let ns = namespace("contend");
    let started = Instant::now();
    let mut children = [
        spawn_child(url, &ns, "contend"),
        spawn_child(url, &ns, "contend"),
    ];
    let (tx, rx) = mpsc::channel();
    forward(&mut children[0], "first", tx.clone());
    forward(&mut children[1], "second", tx);
    for child in &mut children {
        let status = child.wait().expect("reap");
        assert_eq!(status.code(), Some(0), "a contender failed or deadlocked");
    }
    let elapsed = started.elapsed();

    // `fence KEY N` per acquisition of KEY.
    let mut fences: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
    let mut acquisitions: BTreeMap<String, u64> = BTreeMap::new();
    for (_, line) in rx.iter() {
        let mut words = line.split_whitespace();
        if let (Some("fence"), Some(key), Some(Ok(fence))) =
            (words.next(), words.next(), words.next().map(str::parse))
        {
            assert!(
                fences.entry(key.to_owned()).or_default().insert(fence),
                "fencing token {fence} of {key} handed out twice"
            );
            *acquisitions.entry(key.to_owned()).or_default() += 1;
        }
    }

    let mut conn = redis::Client::open(url)
        .and_then(|client| client.get_connection())
        .expect("connect");
    let mut total = 0;
    for key in ["a", "b", "c"] {
        let counted: u64 = redis::cmd("GET")
            .arg(format!("{ns}counter:{key}"))
            .query(&mut conn)
            .expect("GET counter");
        let fence: u64 = redis::cmd("GET")
            .arg(format!("{ns}f:{key}"))
            .query(&mut conn)
            .expect("GET fence");
        let taken = acquisitions.get(key).copied().unwrap_or(0);
        assert_eq!(counted, taken, "key {key}: an increment was lost");
        assert_eq!(fence, taken, "key {key}: one fencing token per acquisition");
        let locked: i64 = redis::cmd("EXISTS")
            .arg(format!("{ns}l:{key}"))
            .query(&mut conn)
            .expect("EXISTS");
        assert_eq!(locked, 0, "key {key} released");
        total += counted;
    }
    let sections = 2 * TASKS * ROUNDS;
    eprintln!(
        "contend: 2 processes x {TASKS} tasks x {ROUNDS} lock_many over overlapping sets: \
         {sections} critical sections, {total} non-atomic increments, all exact, no deadlock \
         ({elapsed:?})"
    );
    clean(url, &ns);
}

fn a_killed_holder_is_taken_over_after_its_lease(url: &str) {
    let ns = namespace("kill");
    let (tx, rx) = mpsc::channel();
    let mut holder = spawn_child(url, &ns, "hold");
    forward(&mut holder, "holder", tx.clone());
    let held_fence = match rx.recv().expect("the holder reports") {
        ("holder", line) => parse_fence(&line, "held"),
        other => panic!("unexpected {other:?}"),
    };
    let mut taker = spawn_child(url, &ns, "take");
    forward(&mut taker, "taker", tx);
    // The taker says it is waiting; the holder says `alive` every half lease while its guard
    // is still held. Wait for six of those (three leases) with the taker still waiting.
    let mut waiting = false;
    let mut alive = 0;
    while !(waiting && alive >= 6) {
        match rx.recv().expect("children report") {
            ("taker", line) if line == "waiting" => waiting = true,
            ("holder", line) if line == "alive" => alive += usize::from(waiting),
            other => panic!("the taker got the key while the holder lived: {other:?}"),
        }
    }
    holder.kill().expect("SIGKILL the holder");
    let killed_at = Instant::now();
    let status = holder.wait().expect("reap");
    assert_eq!(status.signal(), Some(9), "the holder died of SIGKILL");
    let took_fence = loop {
        match rx.recv().expect("the taker reports") {
            ("taker", line) if line.starts_with("took") => break parse_fence(&line, "took"),
            ("holder", _) => {} // lines written before the kill
            other => panic!("unexpected {other:?}"),
        }
    };
    let after = killed_at.elapsed();
    assert!(
        took_fence > held_fence,
        "fencing: {took_fence} after {held_fence}"
    );
    assert_eq!(taker.wait().expect("reap").code(), Some(0));
    eprintln!(
        "kill: holder outlived 3 leases of {KILL_LEASE:?} while the other waited; \
         SIGKILLed; taken over {after:?} later with fencing token {took_fence} > {held_fence}"
    );
    clean(url, &ns);
}

fn parse_fence(line: &str, word: &str) -> u64 {
    line.strip_prefix(word)
        .and_then(|rest| rest.trim().parse().ok())
        .unwrap_or_else(|| panic!("expected `{word} N`, got {line:?}"))
}

fn child(role: &str) {
    let url = std::env::var(URL_VAR).expect("the URL is passed");
    let ns = std::env::var(NS_VAR).expect("the namespace is passed");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let store = store(&url, &ns).await;
        match role {
            "contend" => {
                let locks = store.locks().with_lease(Duration::from_secs(2));
                if tokio::time::timeout(DEADLOCK, contend(&url, &ns, &locks))
                    .await
                    .is_err()
                {
                    std::process::exit(3);
                }
            }
            "hold" => hold(store.locks().with_lease(KILL_LEASE)).await,
            "take" => take(store.locks().with_lease(KILL_LEASE)).await,
            other => panic!("unknown role {other}"),
        }
    });
}

async fn contend(url: &str, ns: &str, locks: &RedisLocks) {
    let mut tasks = tokio::task::JoinSet::new();
    for task in 0..TASKS {
        let (locks, url, ns) = (locks.clone(), url.to_owned(), ns.to_owned());
        tasks.spawn(async move {
            let client = redis::Client::open(url).expect("URL");
            let mut conn = client
                .get_multiplexed_async_connection()
                .await
                .expect("connect");
            for round in 0..ROUNDS {
                let mut set: Vec<&str> = SETS[(task + round) % SETS.len()].to_vec();
                if rand::random::<bool>() {
                    set.reverse();
                }
                let guard = locks.lock_many(&set).await.expect("lock_many");
                for key in &set {
                    let fence = guard.fencing_token(key).expect("held");
                    report(format_args!("fence {key} {fence}"));
                    bump(&mut conn, &format!("{ns}counter:{key}")).await;
                }
                guard.release().await.expect("release");
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("a contending task panicked");
    }
}

/// `GET`, then `SET` to one more: two round trips another process could slip between.
async fn bump(conn: &mut redis::aio::MultiplexedConnection, key: &str) {
    let value: Option<u64> = redis::cmd("GET")
        .arg(key)
        .query_async(conn)
        .await
        .expect("GET");
    let () = redis::cmd("SET")
        .arg(key)
        .arg(value.unwrap_or(0) + 1)
        .query_async(conn)
        .await
        .expect("SET");
}

async fn hold(locks: RedisLocks) {
    let guard = locks.lock_many(["x", "y"]).await.expect("lock");
    report(format_args!(
        "held {}",
        guard.fencing_token("y").expect("held")
    ));
    let mut tick = tokio::time::interval(locks.lease() / 2);
    loop {
        tick.tick().await;
        assert!(guard.is_held(), "the lease was renewed");
        report(format_args!("alive"));
    }
}

async fn take(locks: RedisLocks) {
    report(format_args!("waiting"));
    let guard = locks.lock_many(["z", "y"]).await.expect("lock");
    report(format_args!(
        "took {}",
        guard.fencing_token("y").expect("held")
    ));
    guard.release().await.expect("release");
}

/// One line on stdout, flushed at once so the parent sees it before anything that follows.
fn report(line: std::fmt::Arguments<'_>) {
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "{line}")
        .and_then(|()| stdout.flush())
        .is_err()
    {
        std::process::exit(0);
    }
}
