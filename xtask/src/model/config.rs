//! The decisions the spec cannot express: which string fields are enums of constants, which
//! unions the spec leaves unnamed, and which types are written by hand.

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
