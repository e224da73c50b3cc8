//! `ChosenInlineResultHandler`: the inline result a user picked, optionally only those whose
//! `result_id` passes a [`Pattern`].

use std::sync::Arc;

use telegram_types::{Update, UpdateKind, UpdateType};

use super::{BotIdentity, Callback, Handler, HandlerFuture, Match, Pattern};
use crate::Context;

/// Handles chosen inline results, as python-telegram-bot's `ChosenInlineResultHandler`.
///
/// With [`pattern`](Self::pattern), only results whose `result_id` passes it (a regex's
/// captures land in [`Context::matches`]). Telegram sends these updates only when inline
/// feedback is enabled for the bot with @BotFather.
///
/// ```
/// use std::sync::Arc;
/// use telegram_ext::{handlers::{ChosenInlineResultHandler, Pattern}, Context, HandlerResult};
/// use telegram_types::Update;
///
/// async fn chosen(_update: Arc<Update>, _ctx: Context) -> HandlerResult {
///     Ok(())
/// }
///
/// let gifs = ChosenInlineResultHandler::new(chosen).pattern(Pattern::regex(r"^gif-(\d+)$")?);
/// # let _ = gifs;
/// # Ok::<(), regex::Error>(())
/// ```
pub struct ChosenInlineResultHandler<C> {
    callback: C,
    pattern: Option<Pattern>,
    block: bool,
}

impl<C> std::fmt::Debug for ChosenInlineResultHandler<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChosenInlineResultHandler")
            .field("pattern", &self.pattern)
            .field("block", &self.block)
            .finish_non_exhaustive()
    }
}

impl<C> ChosenInlineResultHandler<C> {
    /// Handles every chosen inline result with `callback`.
    pub fn new(callback: C) -> Self {
        ChosenInlineResultHandler {
            callback,
            pattern: None,
            block: true,
        }
    }

    /// Only results whose `result_id` passes `pattern`.
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

impl<S, C> Handler<S> for ChosenInlineResultHandler<C>
where
    C: Callback<S>,
{
    fn check(&self, update: &Update, _bot: &BotIdentity) -> Option<Match> {
        let UpdateKind::ChosenInlineResult(result) = &update.kind else {
            return None;
        };
        let Some(pattern) = &self.pattern else {
            return Some(Match::default());
        };
        let matches = pattern.captures(&result.result_id)?;
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
        vec![UpdateType::ChosenInlineResult]
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

    fn chosen(result_id: &str) -> Update {
        of_kind(
            "chosen_inline_result",
            json!({"result_id": result_id, "from": ann(), "query": "q"}),
        )
    }

    #[test]
    fn without_pattern_every_result_matches() {
        assert!(ChosenInlineResultHandler::new(noop)
            .check(&chosen("anything"), &bot())
            .is_some());
    }

    #[test]
    fn pattern_tests_the_result_id() {
        let handler = ChosenInlineResultHandler::new(noop)
            .pattern(Pattern::regex(r"^gif-(\d+)$").expect("test pattern compiles"));
        let found = handler.check(&chosen("gif-12"), &bot()).expect("matches");
        assert_eq!(found.matches[0].get(1), Some("12"));
        assert!(handler.check(&chosen("sticker-12"), &bot()).is_none());
    }
}
