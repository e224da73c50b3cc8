//! `PreCheckoutQueryHandler`: the last confirmation Telegram asks for before a payment,
//! optionally only for invoices whose payload passes a [`Pattern`].

use std::sync::Arc;

use telegram_types::{Update, UpdateKind, UpdateType};

use super::{BotIdentity, Callback, Handler, HandlerFuture, Match, Pattern};
use crate::Context;

/// Handles pre-checkout queries, as python-telegram-bot's `PreCheckoutQueryHandler`. The
/// callback must answer with `answerPreCheckoutQuery` within 10 seconds.
///
/// With [`pattern`](Self::pattern), only queries whose `invoice_payload` passes it (a regex's
/// captures land in [`Context::matches`]).
///
/// ```
/// use std::sync::Arc;
/// use telegram_ext::{handlers::{Pattern, PreCheckoutQueryHandler}, Context, HandlerResult};
/// use telegram_types::Update;
///
/// async fn confirm(_update: Arc<Update>, _ctx: Context) -> HandlerResult {
///     Ok(())
/// }
///
/// let orders = PreCheckoutQueryHandler::new(confirm).pattern(Pattern::regex(r"^order-(\d+)$")?);
/// # let _ = orders;
/// # Ok::<(), regex::Error>(())
/// ```
pub struct PreCheckoutQueryHandler<C> {
    callback: C,
    pattern: Option<Pattern>,
    block: bool,
}

impl<C> std::fmt::Debug for PreCheckoutQueryHandler<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreCheckoutQueryHandler")
            .field("pattern", &self.pattern)
            .field("block", &self.block)
            .finish_non_exhaustive()
    }
}

impl<C> PreCheckoutQueryHandler<C> {
    /// Handles every pre-checkout query with `callback`.
    pub fn new(callback: C) -> Self {
        PreCheckoutQueryHandler {
            callback,
            pattern: None,
            block: true,
        }
    }

    /// Only queries whose `invoice_payload` passes `pattern`.
    #[must_use]
    pub fn pattern(mut self, pattern: impl Into<Pattern>) -> Self {
        self.pattern = Some(pattern.into());
        self
    }

    /// `false`: run the callback as a tracked task, without holding up dispatch.
    #[must_use]
    pub fn block(mut self, block: bool) -> Self {
        self.block = block;
        self
    }
}

impl<S, C> Handler<S> for PreCheckoutQueryHandler<C>
where
    C: Callback<S>,
{
    fn check(&self, update: &Update, _bot: &BotIdentity) -> Option<Match> {
        let UpdateKind::PreCheckoutQuery(query) = &update.kind else {
            return None;
        };
        let Some(pattern) = &self.pattern else {
            return Some(Match::default());
        };
        let matches = pattern.captures(&query.invoice_payload)?;
        Some(Match {
            args: Vec::new(),
            matches,
        })
    }

    fn handle(&self, update: Arc<Update>, ctx: Context<S>) -> HandlerFuture {
        self.callback.call(update, ctx)
    }

    fn is_blocking(&self) -> bool {
        self.block
    }

    fn update_types(&self) -> Vec<UpdateType> {
        vec![UpdateType::PreCheckoutQuery]
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::test_support::{ann, bot, of_kind};
    use super::*;
    use crate::HandlerResult;

    async fn noop(_: Arc<Update>, _: Context) -> HandlerResult {
        Ok(())
    }

    fn checkout(payload: &str) -> Update {
        of_kind(
            "pre_checkout_query",
            json!({"id": "pc", "from": ann(), "currency": "XTR", "total_amount": 1, "invoice_payload": payload}),
        )
    }

    #[test]
    fn without_pattern_every_query_matches() {
        assert!(PreCheckoutQueryHandler::new(noop)
            .check(&checkout("x"), &bot())
            .is_some());
    }

    #[test]
    fn pattern_tests_the_invoice_payload() {
        let handler = PreCheckoutQueryHandler::new(noop)
            .pattern(Pattern::regex(r"^order-(\d+)$").expect("test pattern compiles"));
        let found = handler
            .check(&checkout("order-7"), &bot())
            .expect("matches");
        assert_eq!(found.matches[0].get(1), Some("7"));
        assert!(handler.check(&checkout("gift-7"), &bot()).is_none());
        let func = PreCheckoutQueryHandler::new(noop).pattern(Pattern::func(|p| p.ends_with('7')));
        assert!(func.check(&checkout("gift-7"), &bot()).is_some());
    }
}
