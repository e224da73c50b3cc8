//! Handlers of one kind of update, with no restriction ([`KindHandler`]: polls, poll answers,
//! shipping queries) or with an optional [`Pattern`] on one text field of the update
//! ([`PatternHandler`]: chosen inline results by `result_id`, pre-checkout queries by
//! `invoice_payload`).
//!
//! The handlers of each family differ only in the kind and the field, so one generic type serves
//! each family and every python-telegram-bot name is a type alias of it.

use std::fmt;
use std::marker::PhantomData;

use telegram_types::{Update, UpdateKind, UpdateType};

use super::checked::{Check, Checked};
use super::{BotIdentity, Match, Pattern};

/// A kind of update a [`KindHandler`] or [`PatternHandler`] handles.
pub trait Kind: Send + Sync + 'static {
    /// The handler's name, for `Debug`.
    const NAME: &'static str;
    /// The kind of update handled.
    const KIND: UpdateType;
}

/// A kind whose updates carry a text a [`PatternHandler`] tests.
pub trait PatternKind: Kind {
    /// The text the pattern is tested on, when the update is of this kind.
    fn text(update: &Update) -> Option<&str>;
}

/// What a [`KindHandler`] checks; the callback and `block` are [`Checked`]'s.
pub struct KindCheck<K> {
    kind: PhantomData<fn() -> K>,
}

/// Handles every update of the kind `K`. Use it through its aliases.
pub type KindHandler<K, C> = Checked<KindCheck<K>, C>;

/// What a [`PatternHandler`] checks; the callback and `block` are [`Checked`]'s.
pub struct PatternCheck<K> {
    pattern: Option<Pattern>,
    kind: PhantomData<fn() -> K>,
}

/// Handles updates of the kind `K` whose text passes the pattern, if one is set (a regex's
/// captures land in [`Context::matches`](crate::Context::matches)). Use it through its aliases.
pub type PatternHandler<K, C> = Checked<PatternCheck<K>, C>;

/// Handles poll state updates (votes counted, closed) of polls the bot sent or stopped, as
/// python-telegram-bot's `PollHandler`.
///
/// ```
/// use std::sync::Arc;
/// use telegram_ext::{handlers::PollHandler, Context, HandlerResult};
/// use telegram_ext::Update;
///
/// async fn poll_state(_update: Arc<Update>, _ctx: Context) -> HandlerResult {
///     Ok(())
/// }
///
/// let handler = PollHandler::new(poll_state).block(false);
/// # let _ = handler;
/// ```
pub type PollHandler<C> = KindHandler<PollKind, C>;

/// Handles a user's changed answer in a non-anonymous poll the bot sent, as python-telegram-bot's
/// `PollAnswerHandler`.
pub type PollAnswerHandler<C> = KindHandler<PollAnswerKind, C>;

/// Handles the shipping address a buyer gave for an invoice with a flexible price, as
/// python-telegram-bot's `ShippingQueryHandler`; the callback answers with `answerShippingQuery`.
pub type ShippingQueryHandler<C> = KindHandler<ShippingQueryKind, C>;

/// Handles inline results a user chose, as python-telegram-bot's `ChosenInlineResultHandler`;
/// the pattern tests the `result_id`.
///
/// ```
/// use std::sync::Arc;
/// use telegram_ext::{handlers::{ChosenInlineResultHandler, Pattern}, Context, HandlerResult};
/// use telegram_ext::Update;
///
/// async fn chosen(_update: Arc<Update>, _ctx: Context) -> HandlerResult {
///     Ok(())
/// }
///
/// let gifs = ChosenInlineResultHandler::new(chosen).pattern(Pattern::regex(r"^gif-(\d+)$")?);
/// # let _ = gifs;
/// # Ok::<(), regex::Error>(())
/// ```
pub type ChosenInlineResultHandler<C> = PatternHandler<ChosenInlineResultKind, C>;

/// Handles the last confirmation Telegram asks for before a payment, as python-telegram-bot's
/// `PreCheckoutQueryHandler`; the pattern tests the `invoice_payload`. The callback must answer
/// with `answerPreCheckoutQuery` within 10 seconds.
pub type PreCheckoutQueryHandler<C> = PatternHandler<PreCheckoutQueryKind, C>;

/// `poll` updates.
#[derive(Debug)]
pub struct PollKind;

/// `poll_answer` updates.
#[derive(Debug)]
pub struct PollAnswerKind;

/// `shipping_query` updates.
#[derive(Debug)]
pub struct ShippingQueryKind;

/// `chosen_inline_result` updates, tested on `result_id`.
#[derive(Debug)]
pub struct ChosenInlineResultKind;

/// `pre_checkout_query` updates, tested on `invoice_payload`.
#[derive(Debug)]
pub struct PreCheckoutQueryKind;

impl Kind for PollKind {
    const NAME: &'static str = "PollHandler";
    const KIND: UpdateType = UpdateType::Poll;
}

impl Kind for PollAnswerKind {
    const NAME: &'static str = "PollAnswerHandler";
    const KIND: UpdateType = UpdateType::PollAnswer;
}

impl Kind for ShippingQueryKind {
    const NAME: &'static str = "ShippingQueryHandler";
    const KIND: UpdateType = UpdateType::ShippingQuery;
}

impl Kind for ChosenInlineResultKind {
    const NAME: &'static str = "ChosenInlineResultHandler";
    const KIND: UpdateType = UpdateType::ChosenInlineResult;
}

impl PatternKind for ChosenInlineResultKind {
    fn text(update: &Update) -> Option<&str> {
        let UpdateKind::ChosenInlineResult(result) = &update.kind else {
            return None;
        };
        Some(&result.result_id)
    }
}

impl Kind for PreCheckoutQueryKind {
    const NAME: &'static str = "PreCheckoutQueryHandler";
    const KIND: UpdateType = UpdateType::PreCheckoutQuery;
}

impl PatternKind for PreCheckoutQueryKind {
    fn text(update: &Update) -> Option<&str> {
        let UpdateKind::PreCheckoutQuery(query) = &update.kind else {
            return None;
        };
        Some(&query.invoice_payload)
    }
}

/// Whether the update is of the kind (by key: no allocation, also for unknown kinds).
fn is_kind<K: Kind>(update: &Update) -> bool {
    update.kind.key() == K::KIND.as_str()
}

impl<K, C> KindHandler<K, C> {
    /// Handles every update of the kind with `callback`.
    pub fn new(callback: C) -> Self {
        Checked::from_parts(KindCheck { kind: PhantomData }, callback)
    }
}

impl<K, C> PatternHandler<K, C> {
    /// Handles every update of the kind with `callback`.
    pub fn new(callback: C) -> Self {
        Checked::from_parts(
            PatternCheck {
                pattern: None,
                kind: PhantomData,
            },
            callback,
        )
    }

    /// Only updates whose text passes `pattern`.
    #[must_use]
    pub fn pattern(mut self, pattern: impl Into<Pattern>) -> Self {
        self.check.pattern = Some(pattern.into());
        self
    }
}

impl<K: Kind> fmt::Debug for KindCheck<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(K::NAME).finish_non_exhaustive()
    }
}

impl<K: Kind> fmt::Debug for PatternCheck<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(K::NAME)
            .field("pattern", &self.pattern)
            .finish_non_exhaustive()
    }
}

impl<K> Check for KindCheck<K>
where
    K: Kind,
{
    fn check(&self, update: &Update, _bot: &BotIdentity) -> Option<Match> {
        is_kind::<K>(update).then(Match::default)
    }

    fn update_types(&self) -> Vec<UpdateType> {
        vec![K::KIND]
    }
}

impl<K> Check for PatternCheck<K>
where
    K: PatternKind,
{
    fn check(&self, update: &Update, _bot: &BotIdentity) -> Option<Match> {
        let text = K::text(update)?;
        let Some(pattern) = &self.pattern else {
            return Some(Match::default());
        };
        let matches = pattern.captures(text)?;
        Some(Match {
            args: Vec::new(),
            matches,
        })
    }

    fn update_types(&self) -> Vec<UpdateType> {
        vec![K::KIND]
    }
}

#[cfg(test)]
mod tests {
    use crate::handlers::Handler;
    use serde_json::json;

    use super::super::test_support::{ann, bot, noop, of_kind};
    use super::*;

    fn chosen(result_id: &str) -> Update {
        of_kind(
            "chosen_inline_result",
            json!({"result_id": result_id, "from": ann(), "query": "q"}),
        )
    }

    fn pre_checkout(payload: &str) -> Update {
        of_kind(
            "pre_checkout_query",
            json!({"id": "q1", "from": ann(), "currency": "XTR", "total_amount": 5, "invoice_payload": payload}),
        )
    }

    #[test]
    fn without_pattern_every_update_of_the_kind_matches() {
        assert!(ChosenInlineResultHandler::new(noop)
            .check(&chosen("anything"), &bot())
            .is_some());
        assert!(PreCheckoutQueryHandler::new(noop)
            .check(&pre_checkout("x"), &bot())
            .is_some());
        assert!(PreCheckoutQueryHandler::new(noop)
            .check(&chosen("x"), &bot())
            .is_none());
    }

    #[test]
    fn the_pattern_tests_each_kinds_own_field() {
        let gifs = ChosenInlineResultHandler::new(noop)
            .pattern(Pattern::regex(r"^gif-(\d+)$").expect("compiles"));
        let found = gifs.check(&chosen("gif-12"), &bot()).expect("matches");
        assert_eq!(found.matches[0].get(1), Some("12"));
        assert!(gifs.check(&chosen("sticker-12"), &bot()).is_none());
        let orders = PreCheckoutQueryHandler::new(noop)
            .pattern(Pattern::func(|payload| payload.starts_with("order-")));
        assert!(orders.check(&pre_checkout("order-7"), &bot()).is_some());
        assert!(orders.check(&pre_checkout("refund-7"), &bot()).is_none());
    }

    #[test]
    fn kind_handlers_name_their_kind() {
        assert_eq!(
            Handler::<()>::update_types(&PollHandler::new(noop)),
            [UpdateType::Poll]
        );
        assert_eq!(
            Handler::<()>::update_types(&ShippingQueryHandler::new(noop)),
            [UpdateType::ShippingQuery]
        );
        assert!(format!("{:?}", PollAnswerHandler::new(noop)).starts_with("PollAnswerHandler"));
    }
}
