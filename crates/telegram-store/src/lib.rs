//! The storage under a bot's state: one small async [`Store`] trait over keys holding versioned
//! bytes, and its backends.
//!
//! This crate knows nothing of Telegram or handlers; `telegram-ext` builds typed chat / user /
//! bot data, conversations and jobs on top of it.
//!
//! # Brief overview
//!
//! - [`Store`]: `get`, compare-and-set [`put`](Store::put), compare-and-delete
//!   [`delete`](Store::delete), paged [`scan`](Store::scan) by key prefix, optional per-key TTL.
//! - [`MemoryStore`]: in the process (the default; tests).
//! - `SqliteStore` (feature `sqlite`): an embedded SQLite file, the production default on one
//!   machine: WAL, group commit (one writer thread, one transaction for all the writes waiting
//!   at that moment), reads that never wait for the writer, and a `Durability` the user picks
//!   (process crash or power loss; the table is on `Durability`).
//! - `RedisStore` (feature `redis`): a Redis server, for several processes; with
//!   `RedisLocks`, keyed locks across processes (leases renewed while held, fencing tokens).
//! - [`StoreError`]: conflict, backend unavailable, corrupt value.
//!
//! # Optional features
//!
//! | feature | what it adds |
//! | --- | --- |
//! | `sqlite` | `SqliteStore`, `SqliteStoreBuilder`, `Durability` (bundled SQLite: nothing to install) |
//! | `redis` | `RedisStore`, `RedisLocks`, `RedisLockGuard` |
//! | `conformance` | `conformance`: the suite every backend passes (`conformance::run_all`) |

#[cfg(feature = "conformance")]
pub mod conformance;
mod error;
mod memory;
#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "sqlite")]
mod sqlite;
mod store;

pub use error::StoreError;
pub use memory::MemoryStore;
#[cfg(feature = "redis")]
pub use redis::{RedisLockGuard, RedisLocks, RedisStore};
#[cfg(feature = "sqlite")]
pub use sqlite::{Durability, SqliteStore, SqliteStoreBuilder};
pub use store::{Entry, ScanPage, Store, Version};
