//! A bank bot that stays correct with many updates processed at once: `/start` opens an
//! account, `/balance` shows it, `/transaction <amount> <recipient>` moves coins.
//!
//! It shows the three pieces a concurrent bot needs: `concurrent_updates(64)` to process updates
//! at once, `KeyedLocks::lock_many` so a transfer holds *both* accounts across its `await`s, and
//! `ctx.create_task` to notify the recipient without holding up the transfer.
//!
//! `cargo run -p examples --example bank` — with `TELEGRAM_BOT_TOKEN` set it polls Telegram;
//! without, it runs offline against the embedded fake Bot API: 20 simulated users send 1,000
//! transfers, and the run checks that no coin was created or lost (it exits non-zero if one was).

#![allow(clippy::print_stdout)]

#[path = "support/offline.rs"]
mod offline;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use telegram_ext::handlers::CommandHandler;
use telegram_ext::processing::KeyedLocks;
use telegram_ext::{Context, HandlerResult, Update};
use telegram_test::FakeBotApi;

const START_BALANCE: i64 = 1_000;
const USAGE: &str = "Usage: /transaction <amount> <recipient>, e.g. /transaction 10 bob";

struct Account {
    balance: i64,
    /// Where to notify the owner: bots can only message users who started them.
    chat_id: i64,
}

/// The application state: accounts by username, and a lock per account.
#[derive(Default)]
struct Bank {
    /// A std `Mutex`, locked only for a read or a write, never across an `await`.
    accounts: Mutex<HashMap<String, Account>>,
    /// Held across `await`s: whoever holds an account's key may read, await, then write it.
    locks: KeyedLocks<String>,
}

impl Bank {
    fn accounts(&self) -> std::sync::MutexGuard<'_, HashMap<String, Account>> {
        self.accounts
            .lock()
            .expect("no panic while holding the map")
    }

    fn balance(&self, name: &str) -> Option<i64> {
        self.accounts().get(name).map(|a| a.balance)
    }

    fn set_balance(&self, name: &str, balance: i64) {
        if let Some(account) = self.accounts().get_mut(name) {
            account.balance = balance;
        }
    }

    fn total(&self) -> i64 {
        self.accounts().values().map(|a| a.balance).sum()
    }
}

/// The sender's account name: their username, or their id if they have none.
fn account_name(update: &Update) -> Option<String> {
    let user = update.effective_user()?;
    Some(user.username.clone().unwrap_or_else(|| user.id.to_string()))
}

async fn reply(update: &Update, ctx: &Context<Bank>, text: impl Into<String>) -> HandlerResult {
    if let Some(chat) = update.effective_chat() {
        ctx.bot.send_message(chat.id, text).await?;
    }
    Ok(())
}

async fn start(update: Arc<Update>, ctx: Context<Bank>) -> HandlerResult {
    let (Some(name), Some(chat)) = (account_name(&update), update.effective_chat()) else {
        return Ok(());
    };
    let balance = ctx
        .state
        .accounts()
        .entry(name.clone())
        .or_insert(Account {
            balance: START_BALANCE,
            chat_id: chat.id,
        })
        .balance;
    let text = format!("Welcome, {name}! You have {balance} coins.\n{USAGE}");
    reply(&update, &ctx, text).await
}

async fn balance(update: Arc<Update>, ctx: Context<Bank>) -> HandlerResult {
    let balance = account_name(&update).and_then(|name| ctx.state.balance(&name));
    let text = match balance {
        Some(balance) => format!("You have {balance} coins."),
        None => "You have no account yet: send /start.".to_owned(),
    };
    reply(&update, &ctx, text).await
}

/// Stands in for a database round trip: the handler yields here, and other updates run.
async fn database_call() {
    tokio::time::sleep(Duration::from_millis(1)).await;
}

/// `/transaction 10 bob`.
///
/// Why the lock: without it, two transfers to bob interleave at the `await`:
///
/// ```text
/// alice → bob, 10                 carol → bob, 20
/// reads bob = 100
/// awaits the database             reads bob = 100
///                                 awaits the database
/// writes bob = 100 + 10
///                                 writes bob = 100 + 20   ← alice's 10 coins are gone
/// ```
///
/// Both senders were debited 30 in all, bob got 20: the bank lost 10 coins. (Two transfers
/// from alice create money the same way, and a balance check before the `await` lets her
/// overdraw.) `lock_many([sender, recipient])` makes read–await–write on both accounts one step;
/// it takes the keys in sorted order, so `alice → bob` and `bob → alice` at once cannot deadlock.
async fn transaction(update: Arc<Update>, ctx: Context<Bank>) -> HandlerResult {
    let Some(sender) = account_name(&update) else {
        return Ok(());
    };
    let [amount, recipient] = ctx.args.as_slice() else {
        return reply(&update, &ctx, USAGE).await;
    };
    let Some(amount) = amount.parse::<i64>().ok().filter(|a| *a > 0) else {
        let text = format!("{amount:?} is not a positive amount.\n{USAGE}");
        return reply(&update, &ctx, text).await;
    };
    let recipient = recipient.trim_start_matches('@').to_owned();
    if recipient == sender {
        return reply(&update, &ctx, "You cannot send coins to yourself.").await;
    }

    let bank = &ctx.state;
    let guard = bank
        .locks
        .lock_many([sender.clone(), recipient.clone()])
        .await;
    let (Some(from), Some(to)) = (bank.balance(&sender), bank.balance(&recipient)) else {
        drop(guard);
        let text = format!("Both you and {recipient} need an account (/start).");
        return reply(&update, &ctx, text).await;
    };
    if from < amount {
        drop(guard);
        let text = format!("Declined: you have {from} coins, not {amount}.");
        return reply(&update, &ctx, text).await;
    }
    database_call().await;
    bank.set_balance(&sender, from - amount);
    bank.set_balance(&recipient, to + amount);
    drop(guard); // release the accounts before any network call

    // Notify the recipient in a tracked task: the transfer does not wait for this send, and
    // `stop` still waits for it (a failure goes to the error handlers).
    let recipient_chat = bank.accounts().get(&recipient).map(|a| a.chat_id);
    if let Some(chat_id) = recipient_chat {
        let bot = ctx.bot.clone();
        let text = format!("{sender} sent you {amount} coins.");
        ctx.create_task(async move {
            bot.send_message(chat_id, text).await?;
            Ok(())
        });
    }
    let text = format!(
        "Sent {amount} coins to {recipient}. You have {} left.",
        from - amount
    );
    reply(&update, &ctx, text).await
}

const USERS: [&str; 20] = [
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory",
    "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "zoe",
];
const TRANSFERS: usize = 1_000;

/// The offline run: everyone opens an account, a short conversation, then 1,000 transfers.
async fn simulate(server: FakeBotApi, bank: Arc<Bank>) -> Result<(), Box<dyn std::error::Error>> {
    let users: Vec<_> = USERS.iter().map(|name| server.user(name)).collect();
    for user in &users {
        user.send_text("/start").await;
    }
    for user in &users {
        server.replies_to(user, 1).await?;
    }
    let start_total = bank.total();
    println!(
        "{} accounts opened, {START_BALANCE} coins each\n",
        users.len()
    );

    let (alice, bob) = (&users[0], &users[1]);
    offline::converse(&server, alice, "/transaction ten bob", 1).await?;
    offline::converse(&server, alice, "/transaction 10 bob", 1).await?;
    let notification = server.replies_to(bob, 1).await?;
    println!(
        "{:>8}: {} (to Bob)",
        "bot",
        notification[0].text().unwrap_or_default()
    );
    offline::converse(&server, bob, "/balance", 1).await?;

    // Random transfers (a fixed xorshift, so every run sends the same ones).
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let answered = || {
        server
            .requests_for("sendMessage")
            .iter()
            .filter_map(|r| r.text())
            .filter(|t| t.starts_with("Sent ") || t.starts_with("Declined"))
            .count()
    };
    let before = answered();
    let started = Instant::now();
    for _ in 0..TRANSFERS {
        let from = next(USERS.len());
        let to = (from + 1 + next(USERS.len() - 1)) % USERS.len();
        let amount = next(50) + 1;
        let text = format!("/transaction {amount} {}", USERS[to]);
        users[from].send_text(text).await;
    }
    println!(
        "\n{TRANSFERS} transfers sent by {} users at once...",
        USERS.len()
    );
    while answered() - before < TRANSFERS {
        if started.elapsed() > Duration::from_secs(30) {
            return Err(format!("only {} of {TRANSFERS} answered", answered() - before).into());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    println!("all answered in {:.2?}\n", started.elapsed());

    let final_total = bank.total();
    let mut balances: Vec<_> = USERS.iter().map(|u| (u, bank.balance(u))).collect();
    balances.sort_by_key(|(_, b)| std::cmp::Reverse(*b));
    for row in balances.chunks(5) {
        let row: Vec<_> = row
            .iter()
            .map(|(name, b)| format!("{name:>8} {:>5}", b.unwrap_or_default()))
            .collect();
        println!("{}", row.join("  "));
    }
    println!("\nstarting total: {start_total}\nfinal total:    {final_total}");
    if final_total != start_total {
        return Err(format!("coins were created or lost: {start_total} -> {final_total}").into());
    }
    println!("no coin created or lost\n");
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    offline::init_logging();
    let server = match offline::token() {
        Some(_) => None,
        None => Some(FakeBotApi::start().await),
    };
    let app = offline::builder(server.as_ref())
        .state(Bank::default())
        .concurrent_updates(64)
        .build()?;
    app.add_handler(CommandHandler::new("start", start)?, 0);
    app.add_handler(CommandHandler::new("balance", balance)?, 0);
    app.add_handler(CommandHandler::new("transaction", transaction)?, 0);

    let bank = app.state().clone();
    offline::run(app, server, |server| simulate(server, bank)).await
}
