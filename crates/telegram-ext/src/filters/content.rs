//! What a message carries: one unit-struct filter per kind of content (`PHOTO`, `VOICE`,
//! `POLL`, …), each passing when the effective message has that field.
//!
//! Text and captions live in `text.rs`, stickers, documents and dice (which have sub-kinds) in
//! their own files, how a message was sent (forwarded, reply, …) in `properties.rs`, and service
//! messages in `status_update.rs`. The type of each constant is its name in CamelCase
//! (`filters::PHOTO` is a `filters::Photo`).

/// Declares unit-struct filters on the effective message: for each `CONST: Type = |m| test`,
/// the type, the constant, the `Filter` impl (an update without a message is `No`) and the
/// operators.
macro_rules! message_filters {
    ($( $(#[$doc:meta])* $konst:ident: $ty:ident = |$m:ident| $test:expr; )*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
        pub struct $ty;

        $(#[$doc])*
        pub const $konst: $ty = $ty;

        impl $crate::filters::Filter for $ty {
            fn check(&self, update: &telegram_types::Update) -> $crate::filters::FilterResult {
                $crate::filters::FilterResult::from_bool(
                    update.effective_message().is_some_and(|$m| $test),
                )
            }
        }

        $crate::filters::filter_ops!([] $ty);
    )*};
}
pub(super) use message_filters;

message_filters! {
    /// Messages with a photo.
    PHOTO: Photo = |m| m.photo.is_some();
    /// Messages with a video.
    VIDEO: Video = |m| m.video.is_some();
    /// Messages with an audio file (music).
    AUDIO: Audio = |m| m.audio.is_some();
    /// Messages with a voice note.
    VOICE: Voice = |m| m.voice.is_some();
    /// Messages with a video note (round video).
    VIDEO_NOTE: VideoNote = |m| m.video_note.is_some();
    /// Messages with an animation (GIF or silent H.264 video).
    ANIMATION: Animation = |m| m.animation.is_some();
    /// Messages with a shared contact.
    CONTACT: Contact = |m| m.contact.is_some();
    /// Messages with a location (venues carry one too).
    LOCATION: Location = |m| m.location.is_some();
    /// Messages with a venue.
    VENUE: Venue = |m| m.venue.is_some();
    /// Messages with a poll.
    POLL: Poll = |m| m.poll.is_some();
    /// Messages with a game.
    GAME: Game = |m| m.game.is_some();
    /// Messages with an invoice.
    INVOICE: Invoice = |m| m.invoice.is_some();
    /// Service messages about a successful payment.
    SUCCESSFUL_PAYMENT: SuccessfulPayment = |m| m.service().successful_payment.is_some();
    /// Messages with a forwarded story.
    STORY: Story = |m| m.story.is_some();
    /// Messages with paid media.
    PAID_MEDIA: PaidMedia = |m| m.paid_media.is_some();
    /// Messages with a checklist.
    CHECKLIST: Checklist = |m| m.checklist.is_some();
    /// Messages announcing a giveaway.
    GIVEAWAY: Giveaway = |m| m.giveaway.is_some();
    /// Messages announcing the winners of a giveaway.
    GIVEAWAY_WINNERS: GiveawayWinners = |m| m.giveaway_winners.is_some();
    /// Messages with Telegram Passport data.
    PASSPORT_DATA: PassportData = |m| m.passport_data.is_some();
    /// Messages with any attachment, as python-telegram-bot's `effective_attachment`: animation,
    /// audio, contact, dice, document, game, invoice, location, paid media, passport data,
    /// photo, poll, sticker, story, successful payment, venue, video, video note or voice.
    ATTACHMENT: Attachment = |m| has_attachment(m);
}

/// Whether `message` carries one of the attachments python-telegram-bot's
/// `Message.effective_attachment` knows.
fn has_attachment(m: &telegram_types::Message) -> bool {
    m.animation.is_some()
        || m.audio.is_some()
        || m.contact.is_some()
        || m.dice.is_some()
        || m.document.is_some()
        || m.game.is_some()
        || m.invoice.is_some()
        || m.location.is_some()
        || m.paid_media.is_some()
        || m.passport_data.is_some()
        || m.photo.is_some()
        || m.poll.is_some()
        || m.sticker.is_some()
        || m.story.is_some()
        || m.service().successful_payment.is_some()
        || m.venue.is_some()
        || m.video.is_some()
        || m.video_note.is_some()
        || m.voice.is_some()
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::super::test_support::{file, message, no_message, text};
    use super::*;
    use crate::filters::{BoxedFilter, Filter};

    fn photo() -> Value {
        json!([{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}])
    }

    fn location() -> Value {
        json!({"latitude": 1.0, "longitude": 2.0})
    }

    fn user() -> Value {
        json!({"id": 7, "is_bot": false, "first_name": "Bo"})
    }

    fn chat() -> Value {
        json!({"id": -100, "type": "channel", "title": "C"})
    }

    /// Each filter with a message field that makes it pass.
    fn cases() -> Vec<(&'static str, BoxedFilter, Value)> {
        vec![
            ("PHOTO", PHOTO.boxed(), json!({"photo": photo()})),
            (
                "VIDEO",
                VIDEO.boxed(),
                json!({"video": file(json!({"width": 1, "height": 1, "duration": 1}))}),
            ),
            (
                "AUDIO",
                AUDIO.boxed(),
                json!({"audio": file(json!({"duration": 1}))}),
            ),
            (
                "VOICE",
                VOICE.boxed(),
                json!({"voice": file(json!({"duration": 1}))}),
            ),
            (
                "VIDEO_NOTE",
                VIDEO_NOTE.boxed(),
                json!({"video_note": file(json!({"length": 1, "duration": 1}))}),
            ),
            (
                "ANIMATION",
                ANIMATION.boxed(),
                json!({"animation": file(json!({"width": 1, "height": 1, "duration": 1}))}),
            ),
            (
                "CONTACT",
                CONTACT.boxed(),
                json!({"contact": {"phone_number": "1", "first_name": "C"}}),
            ),
            (
                "LOCATION",
                LOCATION.boxed(),
                json!({"location": location()}),
            ),
            (
                "VENUE",
                VENUE.boxed(),
                json!({"venue": {"location": location(), "title": "T", "address": "A"}}),
            ),
            (
                "POLL",
                POLL.boxed(),
                json!({"poll": {
                    "id": "1", "question": "Q?", "options": [], "total_voter_count": 0,
                    "is_closed": false, "is_anonymous": true, "type": "regular",
                    "allows_multiple_answers": false, "allows_revoting": false,
                    "members_only": false,
                }}),
            ),
            (
                "GAME",
                GAME.boxed(),
                json!({"game": {"title": "G", "description": "D", "photo": photo()}}),
            ),
            (
                "INVOICE",
                INVOICE.boxed(),
                json!({"invoice": {
                    "title": "T", "description": "D", "start_parameter": "s",
                    "currency": "EUR", "total_amount": 100,
                }}),
            ),
            (
                "SUCCESSFUL_PAYMENT",
                SUCCESSFUL_PAYMENT.boxed(),
                json!({"successful_payment": {
                    "currency": "EUR", "total_amount": 100, "invoice_payload": "p",
                    "telegram_payment_charge_id": "t", "provider_payment_charge_id": "p",
                }}),
            ),
            (
                "STORY",
                STORY.boxed(),
                json!({"story": {"chat": chat(), "id": 3}}),
            ),
            (
                "PAID_MEDIA",
                PAID_MEDIA.boxed(),
                json!({"paid_media": {"star_count": 5, "paid_media": []}}),
            ),
            (
                "CHECKLIST",
                CHECKLIST.boxed(),
                json!({"checklist": {"title": "T", "tasks": [{"id": 1, "text": "t"}]}}),
            ),
            (
                "GIVEAWAY",
                GIVEAWAY.boxed(),
                json!({"giveaway": {
                    "chats": [chat()], "winners_selection_date": 1, "winner_count": 1,
                }}),
            ),
            (
                "GIVEAWAY_WINNERS",
                GIVEAWAY_WINNERS.boxed(),
                json!({"giveaway_winners": {
                    "chat": chat(), "giveaway_message_id": 1, "winners_selection_date": 1,
                    "winner_count": 1, "winners": [user()],
                }}),
            ),
            (
                "PASSPORT_DATA",
                PASSPORT_DATA.boxed(),
                json!({"passport_data": {
                    "data": [], "credentials": {"data": "d", "hash": "h", "secret": "s"},
                }}),
            ),
            ("ATTACHMENT", ATTACHMENT.boxed(), json!({"photo": photo()})),
            (
                "ATTACHMENT",
                ATTACHMENT.boxed(),
                json!({"location": location()}),
            ),
        ]
    }

    #[test]
    fn each_filter_passes_its_content_and_not_plain_text() {
        for (name, filter, fields) in cases() {
            assert!(
                filter.matches(&message(fields.clone())),
                "{name} on {fields}"
            );
            assert!(!filter.matches(&text("hello")), "{name} on plain text");
            assert!(
                !filter.matches(&no_message()),
                "{name} on an update without message"
            );
        }
    }

    #[test]
    fn content_filters_see_edited_messages_and_channel_posts() {
        use super::super::test_support::message_of_kind;

        for kind in ["edited_message", "channel_post", "business_message"] {
            let update = message_of_kind(kind, json!({"photo": photo()}));
            assert!(PHOTO.matches(&update), "{kind}");
        }
    }

    #[test]
    fn attachment_does_not_count_text_or_service_messages() {
        assert!(!ATTACHMENT.matches(&message(json!({"new_chat_title": "T"}))));
        assert!(!ATTACHMENT.matches(&text("hi")));
    }
}
