//! Table-driven tests across every handler kind: each matches the update kinds it is for and
//! rejects every other kind, and asks Telegram (`update_types`) for all it can match.
//!
//! Behaviour of one handler (patterns, lists, command parsing) is tested in its own file.

use telegram_types::UpdateType;

use super::test_support::{bot, noop, samples};
use super::*;
use crate::filters;

const MESSAGES: &[&str] = &[
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_message",
    "edited_business_message",
];

/// Every handler kind with its default options, and the sample kinds it must match.
fn table() -> Vec<(&'static str, Box<dyn Handler>, Vec<&'static str>)> {
    let command = CommandHandler::new("start", noop).expect("valid command");
    vec![
        (
            "CommandHandler",
            Box::new(command),
            vec!["message", "edited_message"],
        ),
        (
            "PrefixHandler",
            Box::new(PrefixHandler::new(["/"], ["start"], noop)),
            vec!["message", "edited_message"],
        ),
        (
            "MessageHandler",
            Box::new(MessageHandler::new(filters::ALL, noop)),
            MESSAGES.to_vec(),
        ),
        (
            "CallbackQueryHandler",
            Box::new(CallbackQueryHandler::new(noop)),
            vec!["callback_query"],
        ),
        (
            "InlineQueryHandler",
            Box::new(InlineQueryHandler::new(noop)),
            vec!["inline_query"],
        ),
        (
            "ChosenInlineResultHandler",
            Box::new(ChosenInlineResultHandler::new(noop)),
            vec!["chosen_inline_result"],
        ),
        (
            "ChatMemberHandler(any)",
            Box::new(
                ChatMemberHandler::new(noop).chat_member_types(ChatMemberHandler::ANY_CHAT_MEMBER),
            ),
            vec!["my_chat_member", "chat_member"],
        ),
        (
            "ChatJoinRequestHandler",
            Box::new(ChatJoinRequestHandler::new(noop)),
            vec!["chat_join_request"],
        ),
        (
            "MessageReactionHandler",
            Box::new(MessageReactionHandler::new(noop)),
            vec!["message_reaction", "message_reaction_count"],
        ),
        (
            "PollHandler",
            Box::new(PollHandler::new(noop)),
            vec!["poll"],
        ),
        (
            "PollAnswerHandler",
            Box::new(PollAnswerHandler::new(noop)),
            vec!["poll_answer"],
        ),
        (
            "PreCheckoutQueryHandler",
            Box::new(PreCheckoutQueryHandler::new(noop)),
            vec!["pre_checkout_query"],
        ),
        (
            "ShippingQueryHandler",
            Box::new(ShippingQueryHandler::new(noop)),
            vec!["shipping_query"],
        ),
        (
            "ChatBoostHandler(any)",
            Box::new(
                ChatBoostHandler::new(noop).chat_boost_types(ChatBoostHandler::ANY_CHAT_BOOST),
            ),
            vec!["chat_boost", "removed_chat_boost"],
        ),
        (
            "BusinessConnectionHandler",
            Box::new(BusinessConnectionHandler::new(noop)),
            vec!["business_connection"],
        ),
        (
            "BusinessMessagesDeletedHandler",
            Box::new(BusinessMessagesDeletedHandler::new(noop)),
            vec!["deleted_business_messages"],
        ),
        (
            "PaidMediaPurchasedHandler",
            Box::new(PaidMediaPurchasedHandler::new(noop)),
            vec!["purchased_paid_media"],
        ),
    ]
}

#[test]
fn every_sample_decodes_to_its_kind() {
    for (kind, update) in samples() {
        assert_eq!(update.kind.key(), kind);
    }
}

#[test]
fn each_handler_matches_its_kinds_and_rejects_every_other_kind() {
    let samples = samples();
    for (name, handler, expected) in table() {
        for (kind, update) in &samples {
            let matched = handler.check(update, &bot()).is_some();
            assert_eq!(
                matched,
                expected.contains(kind),
                "{name} on a {kind} update: matched = {matched}"
            );
        }
    }
}

#[test]
fn update_types_are_exactly_the_kinds_matched_by_default() {
    for (name, handler, expected) in table() {
        let mut asked: Vec<String> = handler
            .update_types()
            .iter()
            .map(|t| t.as_str().to_owned())
            .collect();
        asked.sort();
        let mut expected: Vec<String> = expected.iter().map(|k| (*k).to_owned()).collect();
        expected.sort();
        assert_eq!(asked, expected, "{name}");
    }
}

#[test]
fn every_handler_blocks_by_default() {
    for (name, handler, _) in table() {
        assert!(handler.is_blocking(), "{name}");
    }
}

#[test]
fn unknown_update_kinds_match_no_handler() {
    let future = samples()
        .into_iter()
        .find(|(kind, _)| *kind == "future_kind")
        .map(|(_, update)| update)
        .expect("a sample of an unknown kind");
    assert!(matches!(future.kind.update_type(), UpdateType::Other(_)));
    for (name, handler, _) in table() {
        assert!(handler.check(&future, &bot()).is_none(), "{name}");
    }
}
