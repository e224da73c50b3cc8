//! Delivery guarantees: what happens to an update when the bot crashes, is killed, or stops.
//!
//! Telegram keeps an update until the bot confirms it: polling confirms with the `offset` of the
//! next `getUpdates` (an unconfirmed update is sent again, for 24 h); a webhook confirms with a
//! 2xx answer (anything else, a timeout or a dropped connection is redelivered later), and sends
//! one chat's updates one after another (the next waits until the previous request ended). The
//! sources use that, so a crash loses nothing:
//!
//! - **Polling** ([`PollingConfig`](crate::PollingConfig)) confirms an update only when its
//!   processing finished: the offset it sends is the *watermark*, the lowest update id it
//!   fetched and did not finish. Updates that come back while still in flight (they are above
//!   the watermark, so Telegram sends them again) are recognised and not handled twice. The
//!   graceful stop waits for the admitted updates, then confirms what finished.
//! - **Webhook** ([`WebhookConfig`](crate::WebhookConfig)) answers either after processing
//!   ([`Ack::AfterProcessing`](crate::Ack)) or on receipt ([`Ack::OnReceipt`](crate::Ack)).
//! - **Redeliveries** of updates that completed (after a crash, Telegram sends again what was not
//!   confirmed, some of which had finished) are recognised with [`CompletedUpdates`], a record
//!   of completed ids in the store.
//! - **The update journal** ([`UpdateJournal`]) writes each update to the store before
//!   Telegram is told it arrived (polling: before the offset confirms it; webhook `OnReceipt`:
//!   before the 200), removes it when its processing completed, and replays what a crash left
//!   at the next start, in update id order, before the source's first update. A replayed
//!   update Telegram sends again is recognised (polling: the watermark; webhook: the replayed
//!   ids) and not handled twice.
//!
//! # Guarantees
//!
//! "Completed" means the update's dispatch returned: every blocking handler ran (a handler that
//! returned an error counts, its error went to the error handlers). Non-blocking handlers
//! (`block(false)`) and tasks from `create_task` are not waited for: a crash may lose them.
//!
//! | Source and mode | Crash or SIGKILL | Forced stop / drain timeout | Handled twice when | Per-chat order across replicas |
//! | --- | --- | --- | --- | --- |
//! | Polling (watermark, the default) | nothing lost: every unfinished update comes again | unfinished updates stay unconfirmed, come again | in flight at the crash, or finished above the watermark; with [`CompletedUpdates`]: only those in flight | one poller per bot (Telegram: 409 for a second) |
//! | Polling, [`confirm_on_fetch`](crate::PollingConfig::confirm_on_fetch) (the old handling) | the fetched, unfinished updates are lost | fetched updates lost | never | — |
//! | Webhook, `Ack::AfterProcessing` | nothing lost: the unanswered requests are redelivered | answered 503 (or dropped): redelivered | in flight at the crash (a redelivery while still in flight waits for the first run) | kept: Telegram sends a chat's next update after the 200 |
//! | Webhook, `Ack::OnReceipt` | the queued (answered) updates are lost | the queued updates are reported cancelled, lost | never | not kept between replicas |
//! | Polling or webhook `OnReceipt`, with [`UpdateJournal`] on a SQLite store with `Durability::PowerLoss` | nothing lost once confirmed / answered, also on power loss: the journal replays it | the unfinished updates stay in the journal, replayed at the next start | in flight at the crash (written, processing not yet removed from the journal) | not kept between replicas (one journal per process) |
//! | The same, journal on the `MemoryStore` (the default store) | nothing in memory survives a crash: polling loses the confirmed, unfinished updates (as with `confirm_on_fetch`), `OnReceipt` the answered, unprocessed ones | lost (as above) | never | — |
//!
//! [`CompletedUpdates`] narrows "handled twice" for every row to the updates in flight at the
//! crash (and a crash between a handler's effect and the record's write).
//!
//! The journal is as durable as its store: on a SQLite store with `Durability::ProcessCrash`
//! a `SIGKILL` loses nothing but a power loss may lose the last writes; on Redis, as the
//! server persists. An update whose journal write fails is not lost either: polling then
//! confirms it only when it finished, a webhook answers 503.
//!
//! # Costs
//!
//! - Polling's watermark keeps at most `limit` (≤ 100) updates past the oldest unfinished one in
//!   flight: `getUpdates` returns the unfinished ones again first. One very slow update holds
//!   back intake after 100 more; the old handling did not. With the journal, polling confirms
//!   a batch once it is written, so the processor alone bounds the updates in flight.
//! - The journal costs a store write per update before it is confirmed (polling writes a batch
//!   at once; a SQLite store commits concurrent writes in one transaction) and a delete when
//!   it completed.
//! - `AfterProcessing` holds a connection per update in processing: Telegram's
//!   `max_connections` (40 by default, up to 100) is then the bot's concurrency.
//! - [`CompletedUpdates`] costs a store read and a write per update.
//! - `OnReceipt` holds a request whose update finds the queue full for up to `queue_wait`
//!   (5 s) before answering 503: a burst costs waiting connections (at most `connection_limit`),
//!   not redeliveries.
//!
//! Numbers: `benches/benches/delivery.rs` (polling, `Concurrent(256)`, 10 chats × 100 updates
//! of 50 ms: confirm on fetch 214 ms, watermark 534 ms, journal on SQLite 240 ms, journal in
//! memory 219 ms).
//!
//! # Not provided
//!
//! - A journal shared by replicas: each process replays its own journal at start, so replicas
//!   sharing a store need a journal each (its own store), or `AfterProcessing`. A replica that
//!   dies is replayed when it starts again, not by the others.
//! - Mutual exclusion of one update's concurrent deliveries across replicas: see the keyed
//!   locks.

mod completed;
mod journal;

pub(crate) use self::completed::CompletedRecord;
pub use self::completed::{CompletedUpdates, TELEGRAM_RETENTION};
pub use self::journal::UpdateJournal;
pub(crate) use self::journal::{JournalEntry, JournalRecord, Journaled, Written};
