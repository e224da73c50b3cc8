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
