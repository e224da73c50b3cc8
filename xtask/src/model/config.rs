//! The decisions the spec cannot express: which string fields are enums of constants, which
//! unions the spec leaves unnamed, and which types are written by hand.

/// Rare fields moved out of a large struct into one boxed struct (see [`super::Group`]).
pub(super) struct FieldGroup {
    /// The struct the fields are taken from.
    pub(super) owner: &'static str,
    /// The owner's new field that holds them.
    pub(super) field: &'static str,
    /// The name of the struct that holds them.
    pub(super) type_name: &'static str,
    /// A field whose description contains this phrase (in lower case) belongs to the group.
    pub(super) marker: &'static str,
    /// Further members the descriptions do not mark.
    pub(super) members: &'static [&'static str],
    /// Documentation of the new struct.
    pub(super) type_doc: &'static str,
    /// Documentation of the owner's new field.
    pub(super) field_doc: &'static str,
}

/// A `Message` is one of the most decoded values, and 54 of its 120 fields only appear on
/// service messages ("a member joined", "the title changed", "a payment arrived"). Inline, they
/// made every `Message` 1296 bytes; boxed together, 856, which decodes the getUpdates corpus
/// about 10% faster (the `decode` bench; +12% in an A/B of both layouts in one run).
pub(super) const FIELD_GROUPS: &[FieldGroup] = &[FieldGroup {
    owner: "Message",
    field: "service",
    type_name: "MessageService",
    marker: "service message",
    // Service fields older than the spec's "Service message:" wording, as python-telegram-bot's
    // `filters.StatusUpdate` counts them.
    members: &[
        "new_chat_members",
        "left_chat_member",
        "new_chat_title",
        "new_chat_photo",
        "migrate_to_chat_id",
        "migrate_from_chat_id",
        "pinned_message",
        "connected_website",
    ],
    type_doc: "The fields of a service message: what it reports (a member joined, the title changed, a payment arrived, …). A [`Message`](crate::Message) holds them in its `service` field, present only on service messages; [`Message::service`](crate::Message::service) reads them without unwrapping.",
    field_doc: "The service-message fields (`new_chat_members`, `pinned_message`, `successful_payment`, …), boxed together because they are rare: `None` on an ordinary message. [`Message::service`] reads them without unwrapping.",
}];

/// Types written by hand in `telegram-types` (outside `generated/`), by spec name.
pub(super) const HAND_WRITTEN: &[&str] = &["InputFile", "Update", "MaybeInaccessibleMessage"];

/// String fields that are enums of constants: (enum, `Owner.field` list, values when the
/// description does not quote them, doc).
pub(super) const STRING_ENUMS: &[(&str, &[&str], &[&str], &str)] = &[
    ("ChatType", &["Chat.type", "ChatFullInfo.type"], &[], "Type of a chat."),
    (
        "InlineQueryChatType",
        &["InlineQuery.chat_type"],
        &[],
        "Type of the chat an inline query was sent from (`sender` is the private chat with the sender).",
    ),
    ("MessageEntityType", &["MessageEntity.type"], &[], "Type of a message entity."),
    (
        "PollType",
        &["Poll.type", "KeyboardButtonPollType.type", "sendPoll.type"],
        &["regular", "quiz"],
        "Type of a poll.",
    ),
    (
        "StickerType",
        &["Sticker.type", "StickerSet.sticker_type", "createNewStickerSet.sticker_type"],
        &[],
        "Type of a sticker (independent of its format).",
    ),
    (
        "StickerFormat",
        &["InputSticker.format", "uploadStickerFile.sticker_format", "setStickerSetThumbnail.format"],
        &["static", "animated", "video"],
        "Format of a sticker file.",
    ),
    (
        "ButtonStyle",
        &["KeyboardButton.style", "InlineKeyboardButton.style"],
        &[],
        "Style of a keyboard button.",
    ),
    (
        "ChatAction",
        &["sendChatAction.action"],
        &[
            "typing",
            "upload_photo",
            "record_video",
            "upload_video",
            "record_voice",
            "upload_voice",
            "upload_document",
            "choose_sticker",
            "find_location",
            "record_video_note",
            "upload_video_note",
        ],
        "What the bot is about to send, shown to the user as a chat action.",
    ),
];

/// Unions the spec has no name for: (name, members, doc). Fields whose alternatives are exactly
/// these members get this type.
pub(super) const SYNTHETIC_UNIONS: &[(&str, &[&str], &str)] = &[
    (
        "ReplyMarkup",
        &["InlineKeyboardMarkup", "ReplyKeyboardMarkup", "ReplyKeyboardRemove", "ForceReply"],
        "Additional interface options of a sent message: an inline keyboard, a custom reply keyboard, instructions to remove a reply keyboard or to force a reply from the user.",
    ),
    (
        "InputRichMessageMediaContent",
        &[
            "InputMediaAnimation",
            "InputMediaAudio",
            "InputMediaDocument",
            "InputMediaPhoto",
            "InputMediaVideo",
            "InputMediaVoiceNote",
        ],
        "A media file of a rich message.",
    ),
];

/// Methods a [`RetryPolicy`] repeats by default after a 5xx answer or a connection failure: a
/// method whose name starts with one of these verbs reads, answers a query once, or sets a
/// state to a given value, so a repeat after a call that did go through changes nothing more
/// (at worst Telegram refuses the repeat: "message is not modified", "query is too old").
/// Everything else (`send*`, `copy*`, `forward*`, `create*`, `export*`, `upload*`, payments and
/// gifts, `close`, `logOut`) may act twice and is repeated only when the user opts in.
///
/// [`RetryPolicy`]: https://docs.rs/telegram-transport/latest/telegram_transport/struct.RetryPolicy.html
pub(super) const SAFE_TO_REPEAT_VERBS: &[&str] = &[
    "get",
    "answer",
    "edit",
    "set",
    "delete",
    "ban",
    "unban",
    "restrict",
    "promote",
    "pin",
    "unpin",
    "approve",
    "decline",
    "revoke",
    "read",
    "reopen",
    "hide",
    "unhide",
    "verify",
    "removeChatVerification",
    "removeUserVerification",
];

/// Methods a verb above would admit but that stay opt-in: `getUpdates` belongs to its polling
/// loop, which has its own backoff and must see the failure (a transport-level repeat of a long
/// poll would only delay it).
pub(super) const NOT_REPEATED: &[&str] = &["getUpdates"];

/// Whether the transport repeats `api_name` by default after a server error (see
/// [`SAFE_TO_REPEAT_VERBS`]). A verb matches only as a whole word: `set` admits `setWebhook`,
/// not `settle…`.
pub(super) fn safe_to_repeat(api_name: &str) -> bool {
    !NOT_REPEATED.contains(&api_name)
        && SAFE_TO_REPEAT_VERBS.iter().any(|verb| {
            api_name.strip_prefix(verb).is_some_and(|rest| {
                rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_uppercase())
            })
        })
}
