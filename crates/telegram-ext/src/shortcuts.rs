//! Context shortcuts, python-telegram-bot's `message.reply_text`, `query.answer()` and
//! `query.edit_message_text`: requests addressed from the update being handled. Each returns the
//! same request builder as the [`Bot`](crate::Bot) method it stands for, so every optional
//! parameter is still one setter away; it fails with [`MissingPart`] when the update has no such
//! part (a reply to an update without a chat). `Context` itself lives in `context.rs`.

use telegram_transport::Request;
use telegram_types::methods::{AnswerCallbackQuery, EditMessageText, SendMessage};
use telegram_types::{
    CallbackQuery, InlineQuery, Message, ParseMode, Poll, PollAnswer, Update, UpdateKind, User,
};

use crate::Context;

/// The update handled has no part a shortcut needs (no chat to reply in, no callback query to
/// answer). Converts into a [`HandlerError`](crate::HandlerError), so `?` works in callbacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the update has no {0}")]
pub struct MissingPart(pub &'static str);

impl<S: Send + Sync + 'static> Context<S> {
    /// The update being handled (`None` for tasks and hooks without one). Named so beside
    /// [`update`](Self::update), which changes stored data.
    pub fn current_update(&self) -> Option<&Update> {
        self.update_ref()
    }

    /// The update's message ([`Update::effective_message`]).
    ///
    /// # Errors
    ///
    /// [`MissingPart`] when the update carries no message.
    pub fn message(&self) -> Result<&Message, MissingPart> {
        self.update_ref()
            .and_then(Update::effective_message)
            .ok_or(MissingPart("message"))
    }

    /// The id of the update's chat ([`Update::effective_chat`]); in a job's callback, which has
    /// no update, the job's chat (python-telegram-bot's `context.job.chat_id`), so
    /// [`reply`](Self::reply) sends there.
    ///
    /// # Errors
    ///
    /// [`MissingPart`] when the update has no chat (or the job none).
    pub fn chat_id(&self) -> Result<i64, MissingPart> {
        match self.update_ref() {
            Some(update) => update.effective_chat().map(|chat| chat.id),
            None => self.scope_ids().chat,
        }
        .ok_or(MissingPart("chat"))
    }

    /// The user the update comes from ([`Update::effective_user`]).
    ///
    /// # Errors
    ///
    /// [`MissingPart`] when the update has no user (a channel post, say).
    pub fn user(&self) -> Result<&User, MissingPart> {
        self.update_ref()
            .and_then(Update::effective_user)
            .ok_or(MissingPart("user"))
    }

    /// The update's callback query.
    ///
    /// # Errors
    ///
    /// [`MissingPart`] when the update is not a callback query.
    pub fn callback_query(&self) -> Result<&CallbackQuery, MissingPart> {
        match self.update_ref().map(|u| &u.kind) {
            Some(UpdateKind::CallbackQuery(query)) => Ok(query),
            _ => Err(MissingPart("callback query")),
        }
    }

    /// The update's poll answer (a vote in a non-anonymous poll).
    ///
    /// # Errors
    ///
    /// [`MissingPart`] when the update is not a poll answer.
    pub fn poll_answer(&self) -> Result<&PollAnswer, MissingPart> {
        match self.update_ref().map(|u| &u.kind) {
            Some(UpdateKind::PollAnswer(answer)) => Ok(answer),
            _ => Err(MissingPart("poll answer")),
        }
    }

    /// The update's poll state (votes counted, closed).
    ///
    /// # Errors
    ///
    /// [`MissingPart`] when the update is not a poll update.
    pub fn poll(&self) -> Result<&Poll, MissingPart> {
        match self.update_ref().map(|u| &u.kind) {
            Some(UpdateKind::Poll(poll)) => Ok(poll),
            _ => Err(MissingPart("poll")),
        }
    }

    /// The update's inline query.
    ///
    /// # Errors
    ///
    /// [`MissingPart`] when the update is not an inline query.
    pub fn inline_query(&self) -> Result<&InlineQuery, MissingPart> {
        match self.update_ref().map(|u| &u.kind) {
            Some(UpdateKind::InlineQuery(query)) => Ok(query),
            _ => Err(MissingPart("inline query")),
        }
    }

    /// `sendMessage` to the update's chat: into the message's forum topic and through its
    /// business connection when it has them (python-telegram-bot's `message.reply_text`, without
    /// quoting the message; add `.reply_parameters(..)` for that).
    ///
    /// ```
    /// use telegram_ext::prelude::*;
    ///
    /// async fn hello(_update: Arc<Update>, ctx: Context) -> HandlerResult {
    ///     ctx.reply("Hello!")?.await?;
    ///     Ok(())
    /// }
    /// ```
    ///
    /// # Errors
    ///
    /// [`MissingPart`] when the update has no chat.
    pub fn reply(&self, text: impl Into<String>) -> Result<Request<SendMessage>, MissingPart> {
        let mut request = self.bot.send_message(self.chat_id()?, text);
        if let Some(message) = self.update_ref().and_then(Update::effective_message) {
            if message.is_topic_message {
                if let Some(thread) = message.message_thread_id {
                    request = request.message_thread_id(thread);
                }
            }
            if let Some(connection) = &message.business_connection_id {
                request = request.business_connection_id(connection.clone());
            }
        }
        Ok(request)
    }

    /// [`reply`](Self::reply) with `parse_mode` HTML (python-telegram-bot's `reply_html`).
    ///
    /// # Errors
    ///
    /// [`MissingPart`] when the update has no chat.
    pub fn reply_html(&self, text: impl Into<String>) -> Result<Request<SendMessage>, MissingPart> {
        Ok(self.reply(text)?.parse_mode(ParseMode::Html))
    }

    /// `answerCallbackQuery` for the update's callback query (python-telegram-bot's
    /// `query.answer()`); set `.text(..)` for a notification.
    ///
    /// # Errors
    ///
    /// [`MissingPart`] when the update is not a callback query.
    pub fn answer(&self) -> Result<Request<AnswerCallbackQuery>, MissingPart> {
        let query = self.callback_query()?;
        Ok(self.bot.answer_callback_query(query.id.clone()))
    }

    /// `editMessageText` of the message that carries the pressed button (its chat and id, or
    /// its inline message id), python-telegram-bot's `query.edit_message_text`.
    ///
    /// # Errors
    ///
    /// [`MissingPart`] when the update is not a callback query with a message.
    pub fn edit_message_text(
        &self,
        text: impl Into<String>,
    ) -> Result<Request<EditMessageText>, MissingPart> {
        let query = self.callback_query()?;
        let request = self.bot.edit_message_text().text(text);
        match (&query.message, &query.inline_message_id) {
            (Some(message), _) => Ok(request
                .chat_id(message.chat().id)
                .message_id(message.message_id())),
            (None, Some(inline)) => Ok(request.inline_message_id(inline.clone())),
            (None, None) => Err(MissingPart("message with the button")),
        }
    }
}
