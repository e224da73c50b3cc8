//! Update processors: how many updates are processed at once, and in which order.
//!
//! python-telegram-bot's `BaseUpdateProcessor`, as a trait: the application hands each update's
//! dispatch to the processor, which decides when it runs.
//!
//! - [`Sequential`] (the default): one update after another.
//! - [`Concurrent`]: up to `limit` updates at once (`ApplicationBuilder::concurrent_updates`).
//! - [`Keyed`]: updates with the same key (chat, user, chat and user, or any closure) run in
//!   arrival order, different keys concurrently, all under one global limit.
//!
//! # Backpressure
//!
//! A slot is taken *before* the work is spawned, and an update waiting for its key holds one, so
//! `submit` waits when the processor is full. The polling source asks `getUpdates` for at most
//! [`UpdateProcessor::available`] updates and stops fetching while none is free (Telegram keeps
//! the rest); the webhook source answers 503 when its bounded queue is full. Memory stays bounded
//! under a flood.

mod concurrent;
mod keyed;
mod locks;
mod sequential;
mod tasks;

pub use self::concurrent::Concurrent;
pub use self::keyed::{KeyFn, Keyed};
pub use self::locks::{KeyedGuard, KeyedLocks};
pub use self::sequential::Sequential;
pub(crate) use self::tasks::Tasks;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use telegram_types::Update;

/// A boxed `Send` future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Decides when each update's dispatch runs.
pub trait UpdateProcessor: Send + Sync + 'static {
    /// Admits `update`: waits for a free slot, then starts `work` (the update's dispatch) or
    /// queues it behind earlier updates with the same key. Returns once the update is admitted,
    /// which for [`Sequential`] is when it is done.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future before it completes drops the update unprocessed; the sources never
    /// do. A forced stop ends `work` itself instead (see
    /// [`Application::submit_update`](crate::Application::submit_update)), so the processor
    /// sees it finish and its drain ends.
    fn submit(&self, update: Arc<Update>, work: BoxFuture<'static, ()>) -> BoxFuture<'_, ()>;

    /// How many more updates would be admitted now without waiting.
    fn available(&self) -> usize;

    /// Waits until at least one slot is free.
    fn wait_available(&self) -> BoxFuture<'_, ()>;

    /// Waits until every admitted update is done (queued ones included).
    fn drain(&self) -> BoxFuture<'_, ()>;

    /// Updates being processed now.
    fn in_flight(&self) -> usize;

    /// Updates admitted but waiting for their key.
    fn queued(&self) -> usize {
        0
    }

    /// Per-key queue lengths (running update included), for metrics and tests. Empty for
    /// processors without keys.
    fn key_queues(&self) -> Vec<(String, usize)> {
        Vec::new()
    }
}
