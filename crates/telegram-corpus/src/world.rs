//! The state every generator shares: the PRNG, the cast, the clock and per-chat message ids.
//!
//! What to generate is decided elsewhere (`updates.rs` picks kinds, `message.rs` builds
//! messages); this module only keeps a corpus self-consistent: dates never go backwards,
//! message ids grow per chat, and replies point at earlier messages.

use std::collections::HashMap;

use crate::people::{Cast, Chat, User};
use crate::rng::Rng;

/// 2026-08-24 00:00:00 UTC, the day Bot API 10.3 was released.
const EPOCH: i64 = 1_787_529_600;

/// The shared state of one corpus.
#[derive(Debug)]
pub(crate) struct World {
    /// Every random draw of the corpus.
    pub(crate) rng: Rng,
    /// Users, bots and chats.
    pub(crate) cast: Cast,
    /// Business connections: `(connection id, owner index into cast.users)`.
    pub(crate) business: Vec<(String, usize)>,
    now: i64,
    message_ids: HashMap<i64, i64>,
}

impl World {
    /// A fresh world for `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let cast = Cast::new(&mut rng);
        let business = (0..4)
            .map(|_| {
                let id = crate::media::random_token(&mut rng, 22);
                (id, rng.index(cast.users.len()))
            })
            .collect();
        let now = EPOCH + rng.range(0, 86_400);
        Self {
            rng,
            cast,
            business,
            now,
            message_ids: HashMap::new(),
        }
    }

    /// Moves the clock on by a few seconds (updates arrive in bursts) and returns it.
    pub(crate) fn tick(&mut self) -> i64 {
        self.now += *self
            .rng
            .weighted(&[(0, 45), (1, 30), (3, 15), (20, 8), (300, 2)]);
        self.now
    }

    /// The current Unix time.
    pub(crate) fn now(&self) -> i64 {
        self.now
    }

    /// The id of a new message in `chat_id`.
    pub(crate) fn next_message_id(&mut self, chat_id: i64) -> i64 {
        let id = self.last_message_id(chat_id) + 1;
        self.message_ids.insert(chat_id, id);
        id
    }

    /// The id of an existing, earlier message in `chat_id` (for replies, edits and reactions).
    pub(crate) fn earlier_message_id(&mut self, chat_id: i64) -> i64 {
        let back = self.rng.geometric(0, 500, 85) as i64;
        (self.last_message_id(chat_id) - back).max(1)
    }

    /// The newest message id in `chat_id`; a chat seen for the first time has some history.
    fn last_message_id(&mut self, chat_id: i64) -> i64 {
        match self.message_ids.get(&chat_id) {
            Some(id) => *id,
            None => {
                let id = self.rng.range(2, 60_000);
                self.message_ids.insert(chat_id, id);
                id
            }
        }
    }

    /// A user (the active ones more often).
    pub(crate) fn user(&mut self) -> User {
        self.cast.user(&mut self.rng).clone()
    }

    /// A user other than the one with id `not`.
    pub(crate) fn other_user(&mut self, not: i64) -> User {
        self.cast.other_user(&mut self.rng, not).clone()
    }

    /// A group or supergroup.
    pub(crate) fn group(&mut self) -> Chat {
        self.cast.group(&mut self.rng).clone()
    }

    /// A supergroup.
    pub(crate) fn supergroup(&mut self) -> Chat {
        self.cast.supergroup(&mut self.rng).clone()
    }

    /// A channel.
    pub(crate) fn channel(&mut self) -> Chat {
        self.cast.channel(&mut self.rng).clone()
    }

    /// Another bot.
    pub(crate) fn bot(&mut self) -> User {
        self.cast.bot(&mut self.rng).clone()
    }

    /// A numeric string id as Telegram uses for queries (`"4382913748923749827"`).
    pub(crate) fn query_id(&mut self) -> String {
        (self.rng.next_u64() >> 2).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_grow_per_chat_and_replies_point_back() {
        let mut w = World::new(5);
        let a = w.next_message_id(1);
        let b = w.next_message_id(1);
        assert_eq!(b, a + 1);
        let earlier = w.earlier_message_id(1);
        assert!(earlier <= b);
        let other = w.next_message_id(2);
        assert!(other > 0);
    }

    #[test]
    fn clock_never_goes_backwards() {
        let mut w = World::new(6);
        let mut last = w.now();
        for _ in 0..1_000 {
            let now = w.tick();
            assert!(now >= last);
            last = now;
        }
    }
}
