//! Handlers of one kind of update, optionally restricted to listed subjects — the user or chat
//! the update is about: [`BusinessConnectionHandler`], [`BusinessMessagesDeletedHandler`],
//! [`PaidMediaPurchasedHandler`].
//!
//! They differ only in the update kind and whose id and username they check, so one generic
//! [`SubjectHandler`] serves them all; each name is a type alias of it.

use std::fmt;
use std::marker::PhantomData;

use telegram_types::{Update, UpdateKind, UpdateType};

use super::allow_list::{allows, AllowList};
use super::checked::{Check, Checked};
use super::{BotIdentity, Match};

/// A kind of update and the subject it is about.
pub trait Subject: Send + Sync + 'static {
    /// The handler's name, for `Debug`.
    const NAME: &'static str;
    /// The kind of update handled.
    const KIND: UpdateType;
    /// The subject's id and username, when the update is of this kind.
    fn subject(update: &Update) -> Option<(i64, Option<&str>)>;
}

/// What a [`SubjectHandler`] checks; the callback and `block` are [`Checked`]'s.
pub struct SubjectCheck<K> {
    subjects: AllowList,
    kind: PhantomData<fn() -> K>,
}

/// Handles updates of the kind `K`; with [`ids`](Self::ids) or [`usernames`](Self::usernames)
/// only those whose subject is listed (by id or by username). Use it through its aliases.
pub type SubjectHandler<K, C> = Checked<SubjectCheck<K>, C>;

/// Handles business connection updates (the bot connected to, disconnected from, or changed in
/// a business account), as python-telegram-bot's `BusinessConnectionHandler`; the subject is
/// the business account's user.
///
/// ```
/// use std::sync::Arc;
/// use telegram_ext::{handlers::BusinessConnectionHandler, Context, HandlerResult};
/// use telegram_ext::Update;
///
/// async fn connected(_update: Arc<Update>, _ctx: Context) -> HandlerResult {
///     Ok(())
/// }
///
/// let handler = BusinessConnectionHandler::new(connected).ids([42]).usernames(["@ann"]);
/// # let _ = handler;
/// ```
pub type BusinessConnectionHandler<C> = SubjectHandler<BusinessConnectionSubject, C>;

/// Handles messages deleted from a connected business account, as python-telegram-bot's
/// `BusinessMessagesDeletedHandler`; the subject is the chat.
pub type BusinessMessagesDeletedHandler<C> = SubjectHandler<BusinessMessagesDeletedSubject, C>;

/// Handles purchases of paid media the bot sent with a payload, as python-telegram-bot's
/// `PaidMediaPurchasedHandler`; the subject is the buyer.
pub type PaidMediaPurchasedHandler<C> = SubjectHandler<PaidMediaPurchasedSubject, C>;

/// `business_connection` updates, about the business account's user.
#[derive(Debug)]
pub struct BusinessConnectionSubject;

/// `deleted_business_messages` updates, about the chat.
#[derive(Debug)]
pub struct BusinessMessagesDeletedSubject;

/// `purchased_paid_media` updates, about the buyer.
#[derive(Debug)]
pub struct PaidMediaPurchasedSubject;

impl Subject for BusinessConnectionSubject {
    const NAME: &'static str = "BusinessConnectionHandler";
    const KIND: UpdateType = UpdateType::BusinessConnection;
    fn subject(update: &Update) -> Option<(i64, Option<&str>)> {
        let UpdateKind::BusinessConnection(connection) = &update.kind else {
            return None;
        };
        Some((connection.user.id, connection.user.username.as_deref()))
    }
}

impl Subject for BusinessMessagesDeletedSubject {
    const NAME: &'static str = "BusinessMessagesDeletedHandler";
    const KIND: UpdateType = UpdateType::DeletedBusinessMessages;
    fn subject(update: &Update) -> Option<(i64, Option<&str>)> {
        let UpdateKind::DeletedBusinessMessages(deleted) = &update.kind else {
            return None;
        };
        Some((deleted.chat.id, deleted.chat.username.as_deref()))
    }
}

impl Subject for PaidMediaPurchasedSubject {
    const NAME: &'static str = "PaidMediaPurchasedHandler";
    const KIND: UpdateType = UpdateType::PurchasedPaidMedia;
    fn subject(update: &Update) -> Option<(i64, Option<&str>)> {
        let UpdateKind::PurchasedPaidMedia(purchase) = &update.kind else {
            return None;
        };
        Some((purchase.from.id, purchase.from.username.as_deref()))
    }
}

impl<K, C> SubjectHandler<K, C> {
    /// Handles every update of the kind with `callback`.
    pub fn new(callback: C) -> Self {
        Checked::from_parts(
            SubjectCheck {
                subjects: AllowList::default(),
                kind: PhantomData,
            },
            callback,
        )
    }

    /// Only updates whose subject has one of these ids.
    #[must_use]
    pub fn ids(mut self, ids: impl IntoIterator<Item = i64>) -> Self {
        self.check.subjects.add_ids(ids);
        self
    }

    /// Only updates whose subject has one of these usernames (with or without `@`, any case).
    #[must_use]
    pub fn usernames<N: AsRef<str>>(mut self, usernames: impl IntoIterator<Item = N>) -> Self {
        self.check.subjects.add_usernames(usernames);
        self
    }
}

impl<K: Subject> fmt::Debug for SubjectCheck<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(K::NAME)
            .field("subjects", &self.subjects)
            .finish_non_exhaustive()
    }
}

impl<K> Check for SubjectCheck<K>
where
    K: Subject,
{
    fn check(&self, update: &Update, _bot: &BotIdentity) -> Option<Match> {
        let (id, username) = K::subject(update)?;
        allows(&[(&self.subjects, Some(id), username)]).then(Match::default)
    }

    fn update_types(&self) -> Vec<UpdateType> {
        vec![K::KIND]
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{bot, noop, samples};
    use super::*;
    use crate::handlers::Handler;

    fn sample(kind: &str) -> Update {
        samples()
            .into_iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, u)| u)
            .expect("a sample of the kind")
    }

    #[test]
    fn listed_ids_or_usernames_pass_and_others_do_not() {
        let update = sample("business_connection");
        let (id, username) = BusinessConnectionSubject::subject(&update).unwrap();
        let username = username
            .expect("the sample user has a username")
            .to_uppercase();
        assert!(BusinessConnectionHandler::new(noop)
            .ids([id])
            .check(&update, &bot())
            .is_some());
        assert!(BusinessConnectionHandler::new(noop)
            .usernames([format!("@{username}")])
            .check(&update, &bot())
            .is_some());
        let other = BusinessConnectionHandler::new(noop)
            .ids([id + 1])
            .usernames(["nobody"]);
        assert!(other.check(&update, &bot()).is_none());
    }

    #[test]
    fn each_alias_checks_its_own_subject() {
        let deleted = sample("deleted_business_messages");
        let (chat_id, _) = BusinessMessagesDeletedSubject::subject(&deleted).unwrap();
        assert!(BusinessMessagesDeletedHandler::new(noop)
            .ids([chat_id])
            .check(&deleted, &bot())
            .is_some());
        let purchase = sample("purchased_paid_media");
        let (buyer, _) = PaidMediaPurchasedSubject::subject(&purchase).unwrap();
        assert!(PaidMediaPurchasedHandler::new(noop)
            .ids([buyer])
            .check(&purchase, &bot())
            .is_some());
        assert!(PaidMediaPurchasedHandler::new(noop)
            .ids([buyer + 1])
            .check(&purchase, &bot())
            .is_none());
    }
}
