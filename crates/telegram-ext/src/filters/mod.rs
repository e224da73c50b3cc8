//! Filters: cheap, synchronous predicates on an update, combined with `&`, `|`, `^` and `!`.
//!
//! Every filter is a value of its own type (`filters::TEXT` is a unit struct constant), and the
//! operators build static combinator types ([`And`], [`Or`], [`Xor`], [`Not`]) without allocating;
//! `&&`-style short-circuiting is kept: the right side of `a & b` is not evaluated when `a` fails.
//! Use [`Filter::boxed`] only to store filters of different types side by side.
//!
//! Data filters ([`Regex`]) return what they matched; `&` merges the matches of both sides in
//! order, and the handler puts them in [`Context::matches`](crate::Context::matches).
//!
//! ```
//! use telegram_ext::filters::{self, Filter};
//!
//! let plain_text = filters::TEXT & !filters::COMMAND;
//! let media = filters::PHOTO | filters::VIDEO | filters::DOCUMENT;
//! let in_groups_only = plain_text & filters::ChatType::GROUPS;
//! # let _ = (media, in_groups_only);
//! ```

mod allow_list;
mod chat;
mod chat_type;
mod content;
mod dice;
mod document;
mod entity;
mod forwarded_from;
mod language;
mod mention;
mod ops;
mod properties;
mod regex;
mod status_update;
mod sticker;
mod text;
mod update_type;
mod user;

#[cfg(test)]
mod test_support;

pub use self::chat::{Chat, SenderChat, SenderChatType};
pub use self::chat_type::ChatType;
pub use self::content::{
    Animation, Attachment, Audio, Checklist, Contact, Game, Giveaway, GiveawayWinners, Invoice,
    Location, PaidMedia, PassportData, Photo, Poll, Story, SuccessfulPayment, Venue, Video,
    VideoNote, Voice, ANIMATION, ATTACHMENT, AUDIO, CHECKLIST, CONTACT, GAME, GIVEAWAY,
    GIVEAWAY_WINNERS, INVOICE, LOCATION, PAID_MEDIA, PASSPORT_DATA, PHOTO, POLL, STORY,
    SUCCESSFUL_PAYMENT, VENUE, VIDEO, VIDEO_NOTE, VOICE,
};
pub use self::dice::{Dice, DICE};
pub use self::document::{Document, DOCUMENT};
pub use self::entity::{CaptionEntity, Entity};
pub use self::forwarded_from::ForwardedFrom;
pub use self::language::Language;
pub use self::mention::{Mention, MentionTarget};
pub use self::ops::{And, BoxedFilter, Not, Or, Xor};
pub use self::properties::{
    All, EffectId, ExternalReply, Forwarded, HasMediaSpoiler, HasProtectedContent,
    IsAutomaticForward, IsFromOffline, IsTopicMessage, PremiumUser, Quote, Reply, SenderBoostCount,
    UserAttachment, ViaBot, ALL, EFFECT_ID, EXTERNAL_REPLY, FORWARDED, HAS_MEDIA_SPOILER,
    HAS_PROTECTED_CONTENT, IS_AUTOMATIC_FORWARD, IS_FROM_OFFLINE, IS_TOPIC_MESSAGE, PREMIUM_USER,
    QUOTE, REPLY, SENDER_BOOST_COUNT, USER_ATTACHMENT, VIA_BOT,
};
pub use self::regex::{CaptionRegex, Regex};
pub use self::status_update::StatusUpdate;
pub use self::sticker::{Sticker, STICKER};
pub use self::text::{Caption, Command, Text, CAPTION, COMMAND, TEXT};
pub use self::update_type::UpdateType;
pub use self::user::User;

use telegram_types::Update;

/// What a filter says about an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterResult {
    /// The update does not pass.
    No,
    /// The update passes.
    Yes,
    /// The update passes, and this is what the filter matched (regex captures).
    Data(Vec<RegexMatch>),
}

impl FilterResult {
    /// Whether the update passes.
    pub fn is_match(&self) -> bool {
        !matches!(self, FilterResult::No)
    }

    /// `Yes` for `true`, `No` for `false`.
    pub fn from_bool(pass: bool) -> Self {
        if pass {
            FilterResult::Yes
        } else {
            FilterResult::No
        }
    }

    /// The matches carried, if any.
    pub fn into_matches(self) -> Vec<RegexMatch> {
        match self {
            FilterResult::Data(matches) => matches,
            _ => Vec::new(),
        }
    }
}

/// One regex match, with its capture groups owned (the update outlives no borrow).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegexMatch {
    groups: Vec<Option<String>>,
    names: Vec<(String, usize)>,
}

impl RegexMatch {
    /// Copies the groups of `captures` out of the haystack.
    pub fn from_captures(regex: &::regex::Regex, captures: &::regex::Captures<'_>) -> Self {
        let groups = captures
            .iter()
            .map(|g| g.map(|m| m.as_str().to_owned()))
            .collect();
        let names = regex
            .capture_names()
            .enumerate()
            .filter_map(|(i, name)| name.map(|n| (n.to_owned(), i)))
            .collect();
        RegexMatch { groups, names }
    }

    /// The whole match (group 0).
    pub fn as_str(&self) -> &str {
        self.get(0).unwrap_or_default()
    }

    /// Capture group `index`, when it took part in the match.
    pub fn get(&self, index: usize) -> Option<&str> {
        self.groups.get(index).and_then(|g| g.as_deref())
    }

    /// The named capture group `name`, when it took part in the match.
    pub fn name(&self, name: &str) -> Option<&str> {
        let index = self.names.iter().find(|(n, _)| n == name)?.1;
        self.get(index)
    }

    /// Number of groups, the whole match included.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// Whether there are no groups (never true for a real match).
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

/// A predicate on updates. Implemented by every filter in this module; write your own with
/// [`custom`] (a closure) or by implementing the trait.
pub trait Filter: Send + Sync + 'static {
    /// Checks the update. Cheap, synchronous, no I/O.
    fn check(&self, update: &Update) -> FilterResult;

    /// Whether the update passes (ignores data).
    fn matches(&self, update: &Update) -> bool {
        self.check(update).is_match()
    }

    /// Boxes the filter, to store filters of different types together.
    fn boxed(self) -> BoxedFilter
    where
        Self: Sized,
    {
        BoxedFilter::new(self)
    }
}

/// A filter from a closure. The closure may capture state (an allow-list behind a lock, …).
///
/// ```
/// use telegram_ext::filters::{self, Filter};
///
/// let long_text = filters::custom(|update| {
///     update.effective_message().and_then(|m| m.text.as_deref()).is_some_and(|t| t.len() > 100)
/// });
/// let combined = filters::TEXT & long_text;
/// # let _ = combined;
/// ```
pub fn custom<F>(predicate: F) -> Custom<F>
where
    F: Fn(&Update) -> bool + Send + Sync + 'static,
{
    Custom(predicate)
}

/// A filter from a closure; see [`custom`].
#[derive(Clone, Copy)]
pub struct Custom<F>(F);

impl<F> std::fmt::Debug for Custom<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Custom(..)")
    }
}

impl<F> Filter for Custom<F>
where
    F: Fn(&Update) -> bool + Send + Sync + 'static,
{
    fn check(&self, update: &Update) -> FilterResult {
        FilterResult::from_bool((self.0)(update))
    }
}

/// Implements `&`, `|`, `^` and `!` for filter types. Used for every filter in this module;
/// filters of other crates get the operators by wrapping in [`custom`] or [`Filter::boxed`].
macro_rules! filter_ops {
    ($( [$($generics:tt)*] $ty:ty ),* $(,)?) => {$(
        impl<$($generics)* Rhs: $crate::filters::Filter> std::ops::BitAnd<Rhs> for $ty {
            type Output = $crate::filters::And<Self, Rhs>;
            fn bitand(self, rhs: Rhs) -> Self::Output {
                $crate::filters::And::new(self, rhs)
            }
        }
        impl<$($generics)* Rhs: $crate::filters::Filter> std::ops::BitOr<Rhs> for $ty {
            type Output = $crate::filters::Or<Self, Rhs>;
            fn bitor(self, rhs: Rhs) -> Self::Output {
                $crate::filters::Or::new(self, rhs)
            }
        }
        impl<$($generics)* Rhs: $crate::filters::Filter> std::ops::BitXor<Rhs> for $ty {
            type Output = $crate::filters::Xor<Self, Rhs>;
            fn bitxor(self, rhs: Rhs) -> Self::Output {
                $crate::filters::Xor::new(self, rhs)
            }
        }
        impl<$($generics)*> std::ops::Not for $ty {
            type Output = $crate::filters::Not<Self>;
            fn not(self) -> Self::Output {
                $crate::filters::Not::new(self)
            }
        }
    )*};
}
pub(crate) use self::allow_list::normalize_username;
pub(crate) use filter_ops;

filter_ops!([F: Fn(&Update) -> bool + Send + Sync + 'static,] Custom<F>);
