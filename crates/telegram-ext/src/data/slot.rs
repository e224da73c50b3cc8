//! Typed slots and their scopes: what a piece of stored data is called, whose it is, and its
//! Rust type, declared once as a constant.

use std::fmt;
use std::marker::PhantomData;

use crate::data::migrate::Migration;

/// A named, typed piece of stored data, declared once and reached from any callback:
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use telegram_ext::data::{BotSlot, ChatSlot, UserSlot};
///
/// #[derive(Default, Serialize, Deserialize)]
/// struct Profile { name: String, age: u32 }
///
/// const PROFILE: UserSlot<Profile> = UserSlot::new("profile");
/// const COUNTER: ChatSlot<u64> = ChatSlot::new("counter");
/// const STARTS: BotSlot<u64> = BotSlot::new("starts");
/// ```
///
/// `Sc` is the scope ([`Chat`], [`User`], [`ChatUser`], [`Bot`]): which id of the update picks the
/// stored value. `T` is the value's type, stored as JSON through `serde`; a type mismatch is a
/// compile error, never a runtime lookup failure.
///
/// A slot's data has a version: 1, plus one per registered [migration](Self::migrations).
pub struct Slot<Sc, T> {
    name: &'static str,
    migrations: &'static [Migration],
    _marker: PhantomData<fn() -> (Sc, T)>,
}

/// Data per chat (python-telegram-bot's `chat_data`): the update's effective chat picks it.
pub type ChatSlot<T> = Slot<Chat, T>;
/// Data per user (`user_data`): the update's effective user picks it.
pub type UserSlot<T> = Slot<User, T>;
/// Data per user in one chat: the effective chat and user together pick it.
pub type ChatUserSlot<T> = Slot<ChatUser, T>;
/// Data of the whole bot (`bot_data`): one value.
pub type BotSlot<T> = Slot<Bot, T>;

impl<Sc, T> Slot<Sc, T> {
    /// A slot called `name`: its key part in the store, unique among the slots of its scope.
    pub const fn new(name: &'static str) -> Self {
        Slot {
            name,
            migrations: &[],
            _marker: PhantomData,
        }
    }

    /// Registers the migrations of this slot's data: `migrations[0]` turns version 1's JSON
    /// into version 2's, `migrations[1]` version 2's into 3's, and so on. The slot's version is
    /// then `1 + migrations.len()`. Stored data of an older version is migrated when it is read,
    /// and written back.
    pub const fn migrations(self, migrations: &'static [Migration]) -> Self {
        Slot {
            name: self.name,
            migrations,
            _marker: PhantomData,
        }
    }

    /// The slot's name.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The version this code writes: 1 plus the number of migrations.
    pub const fn version(&self) -> u32 {
        1 + self.migrations.len() as u32
    }

    pub(crate) fn migration_list(&self) -> &'static [Migration] {
        self.migrations
    }
}

impl<Sc, T> Clone for Slot<Sc, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<Sc, T> Copy for Slot<Sc, T> {}

impl<Sc: Scope, T> fmt::Debug for Slot<Sc, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Slot")
            .field("scope", &Sc::NAME)
            .field("name", &self.name)
            .field("version", &self.version())
            .finish()
    }
}

/// The ids a callback knows: its update's effective chat and user (or a job's).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScopeIds {
    /// The chat, if any.
    pub chat: Option<i64>,
    /// The user, if any.
    pub user: Option<i64>,
}

/// Whose data a slot holds: how the key is made and which ids pick it. Implemented by
/// [`Chat`], [`User`], [`ChatUser`] and [`Bot`] only.
pub trait Scope: sealed::Sealed + Send + Sync + 'static {
    /// What identifies one value of this scope.
    type Id: Copy + fmt::Debug + Send + Sync + 'static;
    /// The scope's name, as it appears in keys.
    const NAME: &'static str;
    /// The id from what a callback knows, or `None` when the update has none (a chat slot in
    /// an inline query).
    fn id_from(ids: ScopeIds) -> Option<Self::Id>;
    /// Appends the id's key part (`{chat}`, `{chat}:{user}`, nothing for the bot).
    fn push_id(id: Self::Id, key: &mut String);
}

/// The chat scope; id: the chat id.
#[derive(Debug, Clone, Copy)]
pub enum Chat {}
/// The user scope; id: the user id.
#[derive(Debug, Clone, Copy)]
pub enum User {}
/// The scope of one user in one chat; id: `(chat id, user id)`.
#[derive(Debug, Clone, Copy)]
pub enum ChatUser {}
/// The bot scope; id: `()`.
#[derive(Debug, Clone, Copy)]
pub enum Bot {}

impl Scope for Chat {
    type Id = i64;
    const NAME: &'static str = "chat";
    fn id_from(ids: ScopeIds) -> Option<i64> {
        ids.chat
    }
    fn push_id(id: i64, key: &mut String) {
        push_number(key, id);
    }
}

impl Scope for User {
    type Id = i64;
    const NAME: &'static str = "user";
    fn id_from(ids: ScopeIds) -> Option<i64> {
        ids.user
    }
    fn push_id(id: i64, key: &mut String) {
        push_number(key, id);
    }
}

impl Scope for ChatUser {
    type Id = (i64, i64);
    const NAME: &'static str = "chat_user";
    fn id_from(ids: ScopeIds) -> Option<(i64, i64)> {
        Some((ids.chat?, ids.user?))
    }
    fn push_id((chat, user): (i64, i64), key: &mut String) {
        push_number(key, chat);
        key.push(':');
        push_number(key, user);
    }
}

impl Scope for Bot {
    type Id = ();
    const NAME: &'static str = "bot";
    fn id_from(_: ScopeIds) -> Option<()> {
        Some(())
    }
    fn push_id((): (), _key: &mut String) {}
}

fn push_number(key: &mut String, number: i64) {
    use std::fmt::Write;
    // Writing to a String cannot fail.
    let _ = write!(key, "{number}");
}

/// The key of `slot`'s value for `id`: `{prefix}{scope}:{id}:{slot}` (`{prefix}bot:{slot}` for
/// the bot scope).
pub(crate) fn key_of<Sc: Scope, T>(prefix: &str, slot: &Slot<Sc, T>, id: Sc::Id) -> String {
    let mut key = String::with_capacity(prefix.len() + 32 + slot.name.len());
    key.push_str(prefix);
    key.push_str(Sc::NAME);
    key.push(':');
    let before_id = key.len();
    Sc::push_id(id, &mut key);
    if key.len() > before_id {
        key.push(':');
    }
    key.push_str(slot.name);
    key
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Chat {}
    impl Sealed for super::User {}
    impl Sealed for super::ChatUser {}
    impl Sealed for super::Bot {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_the_documented_layout() {
        const COUNTER: ChatSlot<u64> = ChatSlot::new("counter");
        const PROFILE: UserSlot<u64> = UserSlot::new("profile");
        const SCORE: ChatUserSlot<u64> = ChatUserSlot::new("score");
        const STARTS: BotSlot<u64> = BotSlot::new("starts");
        assert_eq!(key_of("tg:1:", &COUNTER, -100), "tg:1:chat:-100:counter");
        assert_eq!(key_of("tg:1:", &PROFILE, 7), "tg:1:user:7:profile");
        assert_eq!(
            key_of("tg:1:", &SCORE, (-5, 7)),
            "tg:1:chat_user:-5:7:score"
        );
        assert_eq!(key_of("tg:1:", &STARTS, ()), "tg:1:bot:starts");
    }

    #[test]
    fn the_version_counts_the_migrations() {
        fn up(v: serde_json::Value) -> Result<serde_json::Value, crate::data::MigrationError> {
            Ok(v)
        }
        const V1: ChatSlot<u64> = ChatSlot::new("a");
        const V3: ChatSlot<u64> = ChatSlot::new("a").migrations(&[up, up]);
        assert_eq!(V1.version(), 1);
        assert_eq!(V3.version(), 3);
    }
}
