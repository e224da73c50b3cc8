//! `CallbackQueryHandler`: presses of inline keyboard buttons, optionally only those whose data
//! (or game short name) passes a [`Pattern`].

use telegram_types::{Update, UpdateKind, UpdateType};

use super::checked::{Check, Checked};
use super::{BotIdentity, Match, Pattern};

/// What a [`CallbackQueryHandler`] checks; the callback and `block` are [`Checked`]'s.
pub struct CallbackQueryCheck {
    pattern: Option<Pattern>,
    game_pattern: Option<Pattern>,
}

/// Handles callback queries, as python-telegram-bot's `CallbackQueryHandler`.
///
/// Without a pattern, every callback query. With [`pattern`](Self::pattern), those whose
/// `data` passes it (a regex's captures land in [`Context::matches`](crate::Context::matches)); with
/// [`game_pattern`](Self::game_pattern), those whose `game_short_name` passes it. With both,
/// either one suffices.
///
/// ```
/// use std::sync::Arc;
/// use telegram_ext::{handlers::{CallbackQueryHandler, Pattern}, Context, HandlerResult};
/// use telegram_ext::Update;
///
/// async fn buy(_update: Arc<Update>, ctx: Context) -> HandlerResult {
///     let item = ctx.matches.first().and_then(|m| m.name("item")).unwrap_or_default();
///     tracing::info!(item, "buy pressed");
///     Ok(())
/// }
///
/// let handler = CallbackQueryHandler::new(buy).pattern(Pattern::regex(r"^buy:(?P<item>\w+)$")?);
/// let any_button = CallbackQueryHandler::new(buy).block(false);
/// # let _ = (handler, any_button);
/// # Ok::<(), regex::Error>(())
/// ```
pub type CallbackQueryHandler<C> = Checked<CallbackQueryCheck, C>;

impl std::fmt::Debug for CallbackQueryCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallbackQueryHandler")
            .field("pattern", &self.pattern)
            .field("game_pattern", &self.game_pattern)
            .finish_non_exhaustive()
    }
}

impl<C> CallbackQueryHandler<C> {
    /// Handles every callback query with `callback`.
    pub fn new(callback: C) -> Self {
        Checked::from_parts(
            CallbackQueryCheck {
                pattern: None,
                game_pattern: None,
            },
            callback,
        )
    }

    /// Only queries whose `data` passes `pattern`.
    #[must_use]
    pub fn pattern(mut self, pattern: impl Into<Pattern>) -> Self {
        self.check.pattern = Some(pattern.into());
        self
    }

    /// Only queries whose `game_short_name` passes `pattern` (or whose data passes
    /// [`pattern`](Self::pattern), when both are set).
    #[must_use]
    pub fn game_pattern(mut self, pattern: impl Into<Pattern>) -> Self {
        self.check.game_pattern = Some(pattern.into());
        self
    }
}

impl Check for CallbackQueryCheck {
    fn check(&self, update: &Update, _bot: &BotIdentity) -> Option<Match> {
        let UpdateKind::CallbackQuery(query) = &update.kind else {
            return None;
        };
        if self.pattern.is_none() && self.game_pattern.is_none() {
            return Some(Match::default());
        }
        if let (Some(pattern), Some(game)) = (&self.game_pattern, &query.game_short_name) {
            if pattern.is_match(game) {
                return Some(Match::default());
            }
        }
        let matches = self.pattern.as_ref()?.captures(query.data.as_deref()?)?;
        Some(Match {
            args: Vec::new(),
            matches,
        })
    }

    fn update_types(&self) -> Vec<UpdateType> {
        vec![UpdateType::CallbackQuery]
    }
}

#[cfg(test)]
mod tests {
    use crate::handlers::Handler;
    use serde_json::json;

    use super::super::test_support::{bot, callback_query, noop, text};
    use super::*;

    fn regex(pattern: &str) -> Pattern {
        Pattern::regex(pattern).expect("test pattern compiles")
    }

    #[test]
    fn without_pattern_every_callback_query_matches() {
        let handler = CallbackQueryHandler::new(noop);
        assert_eq!(
            handler.check(&callback_query(json!({"data": "x"})), &bot()),
            Some(Match::default())
        );
        let game = callback_query(json!({"game_short_name": "tetris"}));
        assert!(handler.check(&game, &bot()).is_some());
        assert!(handler.check(&text("x"), &bot()).is_none());
    }

    #[test]
    fn regex_captures_land_in_matches() {
        let handler = CallbackQueryHandler::new(noop).pattern(regex(r"^buy:(?P<item>\w+):(\d+)$"));
        let found = handler
            .check(&callback_query(json!({"data": "buy:apple:3"})), &bot())
            .expect("the pattern matches");
        assert_eq!(found.matches.len(), 1);
        assert_eq!(found.matches[0].name("item"), Some("apple"));
        assert_eq!(found.matches[0].get(2), Some("3"));
        assert!(found.args.is_empty());
        let miss = callback_query(json!({"data": "sell:apple:3"}));
        assert!(handler.check(&miss, &bot()).is_none());
    }

    #[test]
    fn pattern_needs_data() {
        let handler = CallbackQueryHandler::new(noop).pattern(regex(".*"));
        let game = callback_query(json!({"game_short_name": "tetris"}));
        assert!(handler.check(&game, &bot()).is_none());
    }

    #[test]
    fn func_pattern_decides_without_captures() {
        let handler = CallbackQueryHandler::new(noop).pattern(Pattern::func(|d| d.len() == 2));
        let found = handler.check(&callback_query(json!({"data": "ok"})), &bot());
        assert_eq!(found, Some(Match::default()));
        assert!(handler
            .check(&callback_query(json!({"data": "nope"})), &bot())
            .is_none());
    }

    #[test]
    fn game_pattern_matches_game_short_names_or_the_data_pattern() {
        let games = CallbackQueryHandler::new(noop).game_pattern(regex("^tetris$"));
        let tetris = callback_query(json!({"game_short_name": "tetris"}));
        let chess = callback_query(json!({"game_short_name": "chess"}));
        let data = callback_query(json!({"data": "tetris"}));
        assert!(games.check(&tetris, &bot()).is_some());
        assert!(games.check(&chess, &bot()).is_none());
        assert!(games.check(&data, &bot()).is_none());
        let both = games.pattern(regex("^tetris$"));
        assert!(both.check(&tetris, &bot()).is_some());
        assert!(both.check(&data, &bot()).is_some());
        assert!(both.check(&chess, &bot()).is_none());
    }
}
