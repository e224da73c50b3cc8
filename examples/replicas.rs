//! Three replicas of one bot behind one webhook, sharing a Redis store; one is killed mid-run
//! with `SIGKILL`, and nothing is lost.
//!
//! `TELEGRAM_REDIS_URL=redis://127.0.0.1:6379 cargo run -p examples --example replicas`
//! (without `TELEGRAM_REDIS_URL` it says it needs Redis and exits). Always offline: the fake
//! Bot API plays Telegram's webhook sender, a load balancer spreads its requests over the
//! replicas (round robin), simulated users write to the bot.
//!
//! The replicas are this program run again as child processes (`REPLICAS_CHILD` set). Each
//! keeps a per-chat counter (a typed chat slot in the shared store) and replies `#n` to the
//! chat's n-th message, holding a cross-process lock on the chat meanwhile; each chat also
//! goes through a short conversation (`/quiz`, a name), whose state is in the shared store, so
//! whichever replica gets the answer continues it. What makes it safe:
//!
//! - The webhook is answered after processing, so Telegram (here the fake server) keeps a
//!   request that a dead replica never answered and redelivers it to another replica; it
//!   sends a chat's next update only after the previous one was answered, so every chat's
//!   updates are handled in order, whichever replica gets them.
//! - The counter remembers the last update it counted, so a redelivered update that had been
//!   counted before the kill is not counted twice (its reply may go twice).
//! - The chat lock (`RedisLocks`) is renewed while held; the dead replica's lock is free
//!   again after its lease.
//!
//! `examples/tests/replicas.rs` runs the same cluster at scale (3 replicas, 100 chats × 50
//! messages) and checks every message, every chat's order and every counter.

#![allow(clippy::print_stdout)]

use std::collections::BTreeMap;
use std::error::Error;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use telegram_ext::conversation::{ConversationHandler, Next, StepResult};
use telegram_ext::data::ChatSlot;
use telegram_ext::delivery::CompletedUpdates;
use telegram_ext::handlers::{CommandHandler, MessageHandler};
use telegram_ext::store::RedisStore;
use telegram_ext::{filters, Ack, Application, Context, HandlerResult, Update, WebhookConfig};
use telegram_store::RedisLocks;
use telegram_test::{Balance, FakeBotApi, WebhookStats};
use telegram_transport::Bot;

/// Set in the replicas: the fake API's URL, the token, the Redis URL, the namespace, the
/// replica's number and the lock lease in ms, separated by spaces.
const CHILD_VAR: &str = "REPLICAS_CHILD";
/// The Redis server to share.
const REDIS_VAR: &str = "TELEGRAM_REDIS_URL";

/// A chat's counter: how many messages were counted, and the last update counted (so a
/// redelivery of a counted update is recognised: a chat's updates arrive in id order).
#[derive(Debug, Default, Clone, Copy, Serialize, Deserialize)]
pub(crate) struct Tally {
    /// Messages counted.
    pub(crate) count: u64,
    /// The `update_id` of the last message counted.
    pub(crate) last_update: i64,
}

/// The per-chat counter.
pub(crate) const TALLY: ChatSlot<Tally> = ChatSlot::new("tally");

/// The one question of the conversation.
const QUESTION: &str = "Your name?";

/// Where a chat's conversation is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
enum Quiz {
    /// Asked for a name.
    Name,
}

/// `/quiz`: asks for a name.
async fn quiz(_: Arc<Update>, ctx: Context<Replica>) -> StepResult<Quiz> {
    ctx.reply(QUESTION)?.await?;
    Ok(Next::To(Quiz::Name))
}

/// The answer: greets, and the conversation ends.
async fn name(update: Arc<Update>, ctx: Context<Replica>) -> StepResult<Quiz> {
    let name = update
        .effective_message()
        .and_then(|message| message.text.clone())
        .unwrap_or_default();
    ctx.reply(format!("Hello {name}!"))?.await?;
    Ok(Next::End)
}

/// What a replica's handlers share.
#[derive(Debug)]
struct Replica {
    index: usize,
    locks: RedisLocks,
}

/// What one run of the cluster does.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scenario {
    /// Bot processes.
    pub(crate) replicas: usize,
    /// Chats writing to the bot.
    pub(crate) chats: usize,
    /// Messages per chat.
    pub(crate) messages: usize,
    /// Picks the replica to kill and the moment (after how many replies).
    pub(crate) seed: u64,
    /// The chat locks' lease.
    pub(crate) lease: Duration,
}

/// What a run found.
#[derive(Debug)]
pub(crate) struct Outcome {
    /// The replica killed, and after how many replies.
    pub(crate) killed: (usize, usize),
    /// Each chat's reply numbers (`#n`), in the order they were sent.
    pub(crate) replies: BTreeMap<i64, Vec<u64>>,
    /// Each chat's conversation replies (the question, the greeting), in order.
    pub(crate) conversations: BTreeMap<i64, Vec<String>>,
    /// Each chat's counter in the store at the end.
    pub(crate) counters: BTreeMap<i64, Tally>,
    /// Chats whose lock was still held right after the last reply (a dead holder's, until
    /// its lease runs out), and after one more lease.
    pub(crate) locks_held: (usize, usize),
    /// What the webhook sender did.
    pub(crate) webhook: WebhookStats,
    /// How long the run took.
    pub(crate) elapsed: Duration,
}

impl Outcome {
    /// Replies sent more than once (each a redelivered update whose reply had gone out before
    /// its replica died).
    pub(crate) fn duplicate_replies(&self) -> usize {
        self.replies
            .values()
            .map(|numbers| numbers.windows(2).filter(|w| w[0] == w[1]).count())
            .sum()
    }

    /// Chats whose replies, repeats aside, are not exactly `#1`, `#2`, … `#messages`.
    pub(crate) fn chats_out_of_order(&self, messages: usize) -> Vec<i64> {
        let expected: Vec<u64> = (1..=messages as u64).collect();
        self.replies
            .iter()
            .filter(|(_, numbers)| {
                let mut distinct = (*numbers).clone();
                distinct.dedup();
                distinct != expected
            })
            .map(|(&chat, _)| chat)
            .collect()
    }

    /// Chats whose conversation, repeats aside, did not go question then greeting (the
    /// greeting naming the chat's user).
    pub(crate) fn broken_conversations(&self) -> Vec<i64> {
        self.conversations
            .iter()
            .filter(|(_, replies)| {
                let mut distinct = (*replies).clone();
                distinct.dedup();
                !(distinct.len() == 2
                    && distinct[0] == QUESTION
                    && distinct[1].starts_with("Hello user"))
            })
            .map(|(&chat, _)| chat)
            .collect()
    }

    /// Chats whose counter is not exactly `messages`.
    pub(crate) fn wrong_counters(&self, messages: usize) -> Vec<(i64, u64)> {
        self.counters
            .iter()
            .filter(|(_, tally)| tally.count != messages as u64)
            .map(|(&chat, tally)| (chat, tally.count))
            .collect()
    }
}

/// Runs this process as a replica when it is one; returns whether it was.
pub(crate) fn run_if_replica() -> bool {
    let Ok(config) = std::env::var(CHILD_VAR) else {
        return false;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    if let Err(error) = runtime.block_on(replica(&config)) {
        eprintln!("replica failed: {error}");
        std::process::exit(1);
    }
    true
}

/// The chat's next message: counted once, answered with the count, under the chat's lock.
async fn count(update: Arc<Update>, ctx: Context<Replica>) -> HandlerResult {
    let Some(chat) = update.effective_chat().map(|chat| chat.id) else {
        return Ok(());
    };
    let lock = ctx.state.locks.lock(format!("chat:{chat}")).await?;
    let id = update.update_id;
    let tally = ctx
        .update(&TALLY, |tally| {
            if id > tally.last_update {
                tally.count += 1;
                tally.last_update = id;
            }
            *tally
        })
        .await?;
    let text = format!("#{} (replica {})", tally.count, ctx.state.index);
    ctx.bot.send_message(chat, text).await?;
    lock.release().await?;
    Ok(())
}

/// A replica: serves the webhook on a free loopback port (printed on stdout) until its stdin
/// closes.
async fn replica(config: &str) -> Result<(), Box<dyn Error>> {
    let [api, token, redis, namespace, index, lease_ms] = config
        .split(' ')
        .collect::<Vec<_>>()
        .try_into()
        .map_err(|_| "REPLICAS_CHILD needs six fields")?;
    let store = RedisStore::connect(redis).await?.with_prefix(namespace);
    let locks = store
        .locks()
        .with_lease(Duration::from_millis(lease_ms.parse()?));
    let app = Application::builder()
        .token(token)
        .base_url(api)
        .state(Replica {
            index: index.parse()?,
            locks,
        })
        .store(store)
        .ordered_by_chat(64)
        .completed_updates(CompletedUpdates::new())
        .build()?;
    // Group 0: the conversation (its state in the shared store, so any replica continues
    // it); group 1: every text message is counted, the conversation's ones too.
    let conversation = ConversationHandler::builder("quiz")
        .entry_point(CommandHandler::new("quiz", quiz)?)
        .state(
            Quiz::Name,
            MessageHandler::new(filters::TEXT & !filters::COMMAND, name),
        )
        .build()?;
    app.add_handler(conversation, 0);
    app.add_handler(MessageHandler::new(filters::TEXT, count), 1);

    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}/hook", listener.local_addr()?);
    let config = WebhookConfig::new(listener.local_addr()?, "/hook")
        .with_listener(listener)
        .ack(Ack::AfterProcessing)
        .stop_signals(false);
    // The parent closes stdin to stop the replica gracefully.
    let stopper = app.clone();
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
        stopper.stop_running();
    });
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "listening {url}")?;
    stdout.flush()?;
    drop(stdout);
    app.run_webhook(config).await?;
    Ok(())
}

/// A fresh namespace for one run.
fn namespace() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos());
    format!("replicas:{}:{nanos}:", std::process::id())
}

/// SplitMix64: the seeded choices of the run.
fn next_random(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Starts one replica and reads the URL it serves.
fn spawn_replica(config: String) -> Result<(Child, String), Box<dyn Error + Send + Sync>> {
    let mut child = Command::new(std::env::current_exe()?)
        .env(CHILD_VAR, config)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("piped stdout")?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let url = line
        .trim()
        .strip_prefix("listening ")
        .ok_or_else(|| format!("a replica said {line:?}"))?
        .to_owned();
    Ok((child, url))
}

/// Runs the cluster: `scenario.replicas` replicas behind the fake server's webhook, every chat
/// writing its messages, one replica killed with `SIGKILL` at a seeded point.
pub(crate) async fn run_cluster(
    redis_url: &str,
    scenario: Scenario,
) -> Result<Outcome, Box<dyn Error>> {
    let started = Instant::now();
    let server = FakeBotApi::builder()
        .default_timeout(Duration::from_secs(300))
        .webhook_timeout(Duration::from_secs(30))
        .webhook_retry_delay(Duration::from_millis(20))
        .start()
        .await;
    let namespace = namespace();
    let mut replicas = Vec::new();
    let mut urls = Vec::new();
    for index in 0..scenario.replicas {
        let config = format!(
            "{} {} {redis_url} {namespace} {index} {}",
            server.url(),
            server.token(),
            scenario.lease.as_millis()
        );
        let (child, url) = tokio::task::spawn_blocking(move || spawn_replica(config))
            .await?
            .map_err(|error| error.to_string())?;
        replicas.push(Some(child));
        urls.push(url);
    }
    server.balance_webhook(urls, Balance::RoundRobin);
    let bot = Bot::new(server.token()).with_api_url(server.url());
    bot.set_webhook("http://replicas.invalid/hook")
        .max_connections(40)
        .await?;

    let mut random = scenario.seed;
    let victim = (next_random(&mut random) % scenario.replicas as u64) as usize;
    let total = scenario.chats * scenario.messages;
    // Somewhere in the middle 60 % of the replies.
    let kill_after = total / 5 + (next_random(&mut random) % (total as u64 * 3 / 5 + 1)) as usize;

    let users: Vec<_> = (0..scenario.chats)
        .map(|chat| server.user(&format!("user{chat}")))
        .collect();
    // Each chat's first two messages go through the conversation (`/quiz`, then a name).
    for message in 0..scenario.messages {
        for (chat, user) in users.iter().enumerate() {
            let text = match message {
                0 => "/quiz".to_owned(),
                1 => format!("user{chat}"),
                _ => format!("message {message}"),
            };
            user.send_text(text).await;
        }
    }
    for _ in 0..kill_after {
        server.next_request("sendMessage").await?;
    }
    if let Some(mut child) = replicas[victim].take() {
        child.kill()?;
        child.wait()?;
    }
    server.wait_until_drained().await?;

    let (replies, conversations) = replies_per_chat(&server);
    let store = RedisStore::connect(redis_url)
        .await?
        .with_prefix(namespace.as_str());
    let locks = store.locks();
    let reader = Application::builder()
        .token(server.token())
        .base_url(server.url())
        .store(store)
        .build()?;
    let mut counters = BTreeMap::new();
    let mut held_now = 0;
    for user in &users {
        let tally = reader.data().read(&TALLY, user.id()).await?;
        counters.insert(user.id(), tally.unwrap_or_default());
        held_now += usize::from(locks.is_locked(format!("chat:{}", user.id())).await?);
    }
    tokio::time::sleep(scenario.lease).await;
    let mut held_later = 0;
    for user in &users {
        held_later += usize::from(locks.is_locked(format!("chat:{}", user.id())).await?);
    }

    for mut child in replicas.into_iter().flatten() {
        drop(child.stdin.take());
        tokio::task::spawn_blocking(move || child.wait()).await??;
    }
    let webhook = server.webhook_stats();
    server.shutdown().await;
    clean(redis_url, &namespace);
    Ok(Outcome {
        killed: (victim, kill_after),
        replies,
        conversations,
        counters,
        locks_held: (held_now, held_later),
        webhook,
        elapsed: started.elapsed(),
    })
}

/// Each chat's `#n` replies and conversation replies, in the order the fake server received
/// them.
type Replies = (BTreeMap<i64, Vec<u64>>, BTreeMap<i64, Vec<String>>);

fn replies_per_chat(server: &FakeBotApi) -> Replies {
    let mut replies: BTreeMap<i64, Vec<u64>> = BTreeMap::new();
    let mut conversations: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for request in server.requests_for("sendMessage") {
        let (Some(chat), Some(text)) = (request.chat_id(), request.text()) else {
            continue;
        };
        let number = text
            .strip_prefix('#')
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok());
        match number {
            Some(number) => replies.entry(chat).or_default().push(number),
            None => conversations.entry(chat).or_default().push(text.to_owned()),
        }
    }
    (replies, conversations)
}

/// Deletes the run's keys.
fn clean(redis_url: &str, namespace: &str) {
    let Ok(mut conn) = redis::Client::open(redis_url).and_then(|client| client.get_connection())
    else {
        return;
    };
    let keys: Vec<Vec<u8>> = redis::cmd("KEYS")
        .arg(format!("{namespace}*"))
        .query(&mut conn)
        .unwrap_or_default();
    for key in keys {
        let _: Result<i64, _> = redis::cmd("DEL").arg(key).query(&mut conn);
    }
}

/// Prints what a run found.
pub(crate) fn print_outcome(scenario: &Scenario, outcome: &Outcome) {
    let (victim, after) = outcome.killed;
    let messages = scenario.chats * scenario.messages;
    let lost = outcome.chats_out_of_order(scenario.messages);
    let wrong = outcome.wrong_counters(scenario.messages);
    let broken = outcome.broken_conversations();
    println!(
        "{} replicas, {} chats x {} messages; replica {victim} killed with SIGKILL after {after} replies",
        scenario.replicas, scenario.chats, scenario.messages
    );
    println!(
        "webhook: {} requests, {} delivered, {} redelivered ({} to the dead replica's port)",
        outcome.webhook.attempts,
        outcome.webhook.delivered,
        outcome.webhook.redeliveries,
        outcome.webhook.connection_errors
    );
    println!(
        "replies: {} chats in order ({} out of order), {} replies repeated after the kill",
        outcome.replies.len() - lost.len().min(outcome.replies.len()),
        lost.len(),
        outcome.duplicate_replies()
    );
    println!(
        "conversations: {} of {} chats asked and greeted in order",
        outcome.conversations.len() - broken.len().min(outcome.conversations.len()),
        scenario.chats
    );
    println!(
        "counters: {} of {} chats exact; locks held right after: {}, one lease later: {}",
        outcome.counters.len() - wrong.len(),
        scenario.chats,
        outcome.locks_held.0,
        outcome.locks_held.1
    );
    if lost.is_empty()
        && wrong.is_empty()
        && broken.is_empty()
        && outcome.replies.len() == scenario.chats
        && outcome.conversations.len() == scenario.chats
    {
        println!("nothing was lost: all {messages} messages handled, each counted once");
    } else {
        println!(
            "LOST: chats out of order {lost:?}, wrong counters {wrong:?}, broken conversations {broken:?}"
        );
    }
    println!("({:.1?})", outcome.elapsed);
}

#[allow(dead_code)] // the scale-out test includes this file for the cluster, not for `main`
fn main() -> Result<(), Box<dyn Error>> {
    if run_if_replica() {
        return Ok(());
    }
    let Some(redis_url) = std::env::var(REDIS_VAR).ok().filter(|url| !url.is_empty()) else {
        println!("replicas needs Redis: set {REDIS_VAR} (e.g. redis://127.0.0.1:6379)");
        return Ok(());
    };
    let scenario = Scenario {
        replicas: 3,
        chats: 10,
        messages: 20,
        seed: 2026,
        lease: Duration::from_secs(2),
    };
    let runtime = tokio::runtime::Runtime::new()?;
    let outcome = runtime.block_on(run_cluster(&redis_url, scenario))?;
    print_outcome(&scenario, &outcome);
    Ok(())
}
