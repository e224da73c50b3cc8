//! Typed chat, user and bot data, kept in the application's [`Store`].
//!
//! Declare a [`Slot`] once, as a constant, and reach it from any callback through the context:
//!
//! ```
//! use std::sync::Arc;
//! use serde::{Deserialize, Serialize};
//! use telegram_ext::data::{ChatSlot, UserSlot};
//! use telegram_ext::{Context, HandlerResult, Update};
//!
//! #[derive(Default, Serialize, Deserialize)]
//! struct Profile { name: String, messages: u64 }
//!
//! const COUNTER: ChatSlot<u64> = ChatSlot::new("counter");
//! const PROFILE: UserSlot<Profile> = UserSlot::new("profile");
//!
//! async fn count(update: Arc<Update>, ctx: Context) -> HandlerResult {
//!     // An atomic read-modify-write, retried on a version conflict, durable when it returns.
//!     let n = ctx.update(&COUNTER, |n| { *n += 1; *n }).await?;
//!     ctx.update(&PROFILE, |p| p.messages += 1).await?;
//!     let name = ctx.read(&PROFILE).await?.map(|p| p.name).unwrap_or_default();
//!     # let _ = (n, name, update);
//!     Ok(())
//! }
//! ```
//!
//! # What it guarantees
//!
//! - **Typed**: a slot's value is the user's `serde` type, stored as JSON. Reading a slot as
//!   another type is a compile error; there is no type map.
//! - **Lazy**: nothing is read until a callback asks; a callback that touches no slot costs no
//!   store call (python-telegram-bot loads every chat's data at start).
//! - **Atomic**: [`Context::update`](crate::Context::update) reads, runs the closure, and writes
//!   with compare-and-set on the value's version, retrying from a fresh read when another
//!   process wrote first. The closure may therefore run more than once: keep it free of side
//!   effects. No increment is ever lost. Within one process, writers of the same key take turns
//!   (a keyed lock, freed when idle), so a hot key does not burn attempts on conflicts.
//! - **Durable when it returns**: the write has reached the store (how durable that is is the
//!   store's setting, e.g. SQLite's process-crash or power-loss level). No flush interval.
//! - **Versioned**: [`Slot::migrations`] registers functions from one version's JSON to the
//!   next; older values are migrated on read and written back. A value that still does not
//!   decode is a [`DataError::Decode`] carrying its key — it reaches the error handlers and is
//!   never replaced by a default.
//!
//! # Scopes and keys
//!
//! | scope | slot type | picked by | key |
//! | --- | --- | --- | --- |
//! | chat | [`ChatSlot<T>`] | the effective chat | `tg:{bot_id}:chat:{chat_id}:{slot}` |
//! | user | [`UserSlot<T>`] | the effective user | `tg:{bot_id}:user:{user_id}:{slot}` |
//! | chat + user | [`ChatUserSlot<T>`] | both | `tg:{bot_id}:chat_user:{chat_id}:{user_id}:{slot}` |
//! | bot | [`BotSlot<T>`] | — | `tg:{bot_id}:bot:{slot}` |
//!
//! `{bot_id}` is the part of the token before `:` (Telegram's tokens are `<bot id>:<secret>`,
//! so the secret never appears in a key); several bots can share one store. The value is
//! `{"v": <version>, "data": <JSON of T>}`.
//!
//! # python-telegram-bot's `chat_data`, `user_data`, `bot_data`
//!
//! Untyped dictionaries are one line each, when wanted:
//!
//! ```
//! use std::collections::HashMap;
//! use telegram_ext::data::{BotSlot, ChatSlot, UserSlot};
//!
//! const CHAT_DATA: ChatSlot<HashMap<String, serde_json::Value>> = ChatSlot::new("chat_data");
//! const USER_DATA: UserSlot<HashMap<String, serde_json::Value>> = UserSlot::new("user_data");
//! const BOT_DATA: BotSlot<HashMap<String, serde_json::Value>> = BotSlot::new("bot_data");
//! ```
//!
//! Outside a callback (a job, a broadcast, a test), [`Data`] reaches any slot by id:
//! `app.data().read(&COUNTER, chat_id)`.

mod error;
mod migrate;
mod slot;

pub use self::error::DataError;
pub use self::migrate::{DecodeError, Migration, MigrationError};
pub use self::slot::{
    Bot, BotSlot, Chat, ChatSlot, ChatUser, ChatUserSlot, Scope, ScopeIds, Slot, User, UserSlot,
};

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;
use telegram_store::{Entry, Store, StoreError, Version};

use self::migrate::Decoded;
use crate::processing::KeyedLocks;

/// How many compare-and-set attempts [`Data::update`] makes before giving up with
/// [`DataError::Contended`].
const MAX_ATTEMPTS: u32 = 200;

/// The application's typed data: its store and its key prefix (`tg:{bot_id}:`). Cheap to clone.
///
/// In a callback, [`Context::read`](crate::Context::read) and
/// [`Context::update`](crate::Context::update) pick the id from the update; here the id is
/// given.
#[derive(Clone)]
pub struct Data {
    store: Arc<dyn Store>,
    prefix: Arc<str>,
    /// Writers of one key in this process take turns, so compare-and-set conflicts come only
    /// from other processes: a hot key (a bot-wide counter under 64 concurrent updates) is
    /// written in turn instead of 63 of 64 attempts failing at every round.
    writers: KeyedLocks<String>,
}

impl Data {
    /// Data kept in `store` under keys starting with `prefix` (usually `tg:{bot_id}:`).
    pub fn new(store: Arc<dyn Store>, prefix: impl Into<Arc<str>>) -> Self {
        Data {
            store,
            prefix: prefix.into(),
            writers: KeyedLocks::new(),
        }
    }

    /// The key prefix for a bot token: `tg:{bot_id}:`, the bot id being the token's part
    /// before `:` (`tg:unknown:` for a token without one).
    pub fn prefix_for_token(token: &str) -> String {
        let id = token
            .split_once(':')
            .map(|(id, _)| id)
            .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
            .unwrap_or("unknown");
        format!("tg:{id}:")
    }

    /// The store underneath.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The key prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The store key of `slot`'s value for `id`.
    pub fn key<Sc: Scope, T>(&self, slot: &Slot<Sc, T>, id: Sc::Id) -> String {
        slot::key_of(&self.prefix, slot, id)
    }

    /// The value of `slot` for `id`, or `None` when none is stored. A value stored at an older
    /// version is migrated and written back.
    ///
    /// # Errors
    ///
    /// [`DataError::Decode`] when the stored value cannot be read; [`DataError::Store`].
    pub async fn read<Sc, T>(&self, slot: &Slot<Sc, T>, id: Sc::Id) -> Result<Option<T>, DataError>
    where
        Sc: Scope,
        T: Serialize + DeserializeOwned,
    {
        let key = self.key(slot, id);
        let Some(entry) = self.get(&key).await? else {
            return Ok(None);
        };
        let decoded = decode_entry(&key, slot, &entry)?;
        if decoded.migrated {
            self.write_back(&key, slot, &decoded.value, entry.version)
                .await?;
        }
        Ok(Some(decoded.value))
    }

    /// Reads `slot`'s value for `id` (the default when none is stored), runs `change` on it and
    /// writes it back with compare-and-set, retrying from a fresh read when another writer came
    /// first; returns what `change` returned. Durable when it returns.
    ///
    /// `change` runs once per attempt: keep it free of side effects.
    ///
    /// # Errors
    ///
    /// [`DataError::Decode`] when the stored value cannot be read (nothing is written);
    /// [`DataError::Contended`] after 200 lost compare-and-sets; [`DataError::Store`].
    pub async fn update<Sc, T, R, F>(
        &self,
        slot: &Slot<Sc, T>,
        id: Sc::Id,
        mut change: F,
    ) -> Result<R, DataError>
    where
        Sc: Scope,
        T: Default + Serialize + DeserializeOwned,
        F: FnMut(&mut T) -> R,
    {
        let key = self.key(slot, id);
        let _turn = self.writers.lock(key.clone()).await;
        for attempt in 0..MAX_ATTEMPTS {
            let current = self.get(&key).await?;
            let (mut value, expected) = match &current {
                Some(entry) => (decode_entry(&key, slot, entry)?.value, Some(entry.version)),
                None => (T::default(), None),
            };
            let result = change(&mut value);
            let bytes = encode_value(&key, slot, &value)?;
            match self
                .store
                .put(key.as_bytes(), bytes.into(), expected, None)
                .await
            {
                Ok(_) => return Ok(result),
                Err(StoreError::Conflict { .. }) => back_off(attempt).await,
                Err(source) => return Err(DataError::Store { key, source }),
            }
        }
        Err(DataError::Contended {
            key,
            attempts: MAX_ATTEMPTS,
        })
    }

    /// Stores `value` as `slot`'s value for `id`, replacing whatever was there.
    ///
    /// # Errors
    ///
    /// [`DataError::Encode`], [`DataError::Contended`], [`DataError::Store`].
    pub async fn write<Sc, T>(
        &self,
        slot: &Slot<Sc, T>,
        id: Sc::Id,
        value: &T,
    ) -> Result<(), DataError>
    where
        Sc: Scope,
        T: Serialize,
    {
        let key = self.key(slot, id);
        let bytes: bytes::Bytes = encode_value(&key, slot, value)?.into();
        let _turn = self.writers.lock(key.clone()).await;
        for attempt in 0..MAX_ATTEMPTS {
            let expected = self.get(&key).await?.map(|entry| entry.version);
            match self
                .store
                .put(key.as_bytes(), bytes.clone(), expected, None)
                .await
            {
                Ok(_) => return Ok(()),
                Err(StoreError::Conflict { .. }) => back_off(attempt).await,
                Err(source) => return Err(DataError::Store { key, source }),
            }
        }
        Err(DataError::Contended {
            key,
            attempts: MAX_ATTEMPTS,
        })
    }

    /// Removes `slot`'s value for `id`; `false` when there was none.
    ///
    /// # Errors
    ///
    /// [`DataError::Contended`], [`DataError::Store`].
    pub async fn remove<Sc: Scope, T>(
        &self,
        slot: &Slot<Sc, T>,
        id: Sc::Id,
    ) -> Result<bool, DataError> {
        let key = self.key(slot, id);
        let _turn = self.writers.lock(key.clone()).await;
        for attempt in 0..MAX_ATTEMPTS {
            let Some(entry) = self.get(&key).await? else {
                return Ok(false);
            };
            match self.store.delete(key.as_bytes(), entry.version).await {
                Ok(existed) => return Ok(existed),
                Err(StoreError::Conflict { .. }) => back_off(attempt).await,
                Err(source) => return Err(DataError::Store { key, source }),
            }
        }
        Err(DataError::Contended {
            key,
            attempts: MAX_ATTEMPTS,
        })
    }

    async fn get(&self, key: &str) -> Result<Option<Entry>, DataError> {
        self.store
            .get(key.as_bytes())
            .await
            .map_err(|source| DataError::Store {
                key: key.to_owned(),
                source,
            })
    }

    /// Writes a migrated value back; losing the race to another writer is fine (that writer
    /// wrote the current version).
    async fn write_back<Sc, T: Serialize>(
        &self,
        key: &str,
        slot: &Slot<Sc, T>,
        value: &T,
        expected: Version,
    ) -> Result<(), DataError> {
        let bytes = encode_value(key, slot, value)?;
        match self
            .store
            .put(key.as_bytes(), bytes.into(), Some(expected), None)
            .await
        {
            Ok(_) | Err(StoreError::Conflict { .. }) => Ok(()),
            Err(source) => Err(DataError::Store {
                key: key.to_owned(),
                source,
            }),
        }
    }
}

fn decode_entry<Sc, T: DeserializeOwned>(
    key: &str,
    slot: &Slot<Sc, T>,
    entry: &Entry,
) -> Result<Decoded<T>, DataError> {
    migrate::decode(&entry.value, slot.migration_list()).map_err(|source| DataError::Decode {
        key: key.to_owned(),
        source,
    })
}

fn encode_value<Sc, T: Serialize>(
    key: &str,
    slot: &Slot<Sc, T>,
    value: &T,
) -> Result<Vec<u8>, DataError> {
    migrate::encode(slot.version(), value).map_err(|source| DataError::Encode {
        key: key.to_owned(),
        source,
    })
}

/// After a lost compare-and-set: yield at first, then wait a little, with jitter, so that many
/// writers of one key spread out instead of colliding again in lockstep.
async fn back_off(attempt: u32) {
    if attempt < 3 {
        tokio::task::yield_now().await;
        return;
    }
    let ceiling_us = 50u64 << attempt.min(10);
    let wait = rand::random_range(0..ceiling_us.min(20_000));
    tokio::time::sleep(Duration::from_micros(wait)).await;
}

impl fmt::Debug for Data {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Data")
            .field("store", &self.store)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}
