//! Every union decodes a variant it does not know into `Unknown`, keeping the raw JSON, and
//! encodes it back unchanged.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use telegram_types::*;

fn unknown_round_trip<T: DeserializeOwned + Serialize + std::fmt::Debug>(
    raw: Value,
    is_unknown: impl Fn(&T) -> bool,
) {
    let mut bytes = serde_json::to_vec(&raw).unwrap();
    let decoded: T = json::from_slice(&mut bytes).unwrap_or_else(|e| panic!("{raw}: {e}"));
    assert!(is_unknown(&decoded), "{raw} decoded to {decoded:?}");
    let encoded: Value = serde_json::from_slice(&json::to_vec(&decoded).unwrap()).unwrap();
    assert_eq!(encoded, raw);
}

macro_rules! tagged_unknown {
    ($($test:ident: $ty:ident by $tag:literal;)*) => {$(
        #[test]
        fn $test() {
            let raw = json!({"extra": {"nested": [1, 2]}, $tag: "added_in_a_future_version", "n": 1});
            unknown_round_trip::<$ty>(raw, |v| matches!(v, $ty::Unknown(_)));
        }
    )*};
}

tagged_unknown! {
    background_fill: BackgroundFill by "type";
    background_type: BackgroundType by "type";
    bot_command_scope: BotCommandScope by "type";
    chat_boost_source: ChatBoostSource by "source";
    chat_member: ChatMember by "status";
    inline_query_result: InlineQueryResult by "type";
    input_media: InputMedia by "type";
    input_paid_media: InputPaidMedia by "type";
    input_poll_media: InputPollMedia by "type";
    input_poll_option_media: InputPollOptionMedia by "type";
    input_profile_photo: InputProfilePhoto by "type";
    input_rich_block: InputRichBlock by "type";
    input_rich_message_media_content: InputRichMessageMediaContent by "type";
    input_story_content: InputStoryContent by "type";
    menu_button: MenuButton by "type";
    message_origin: MessageOrigin by "type";
    owned_gift: OwnedGift by "type";
    paid_media: PaidMedia by "type";
    passport_element_error: PassportElementError by "source";
    reaction_type: ReactionType by "type";
    revenue_withdrawal_state: RevenueWithdrawalState by "type";
    rich_block: RichBlock by "type";
    rich_text: RichText by "type";
    story_area_type: StoryAreaType by "type";
    transaction_partner: TransactionPartner by "type";
}

#[test]
fn input_message_content_without_known_keys_is_unknown() {
    unknown_round_trip::<InputMessageContent>(json!({"future_content": 1}), |v| {
        matches!(v, InputMessageContent::Unknown(_))
    });
}

#[test]
fn reply_markup_without_known_keys_is_unknown() {
    unknown_round_trip::<ReplyMarkup>(json!({"future_keyboard": []}), |v| {
        matches!(v, ReplyMarkup::Unknown(_))
    });
}

#[test]
fn a_union_object_without_its_tag_is_kept_as_unknown() {
    unknown_round_trip::<ReactionType>(json!({"emoji": "👍"}), |v| {
        matches!(v, ReactionType::Unknown(_))
    });
}

#[test]
fn keyed_unions_pick_the_most_specific_variant() {
    let venue: InputMessageContent = serde_json::from_value(json!({
        "latitude": 1.0, "longitude": 2.0, "title": "T", "address": "A"
    }))
    .unwrap();
    assert!(
        matches!(venue, InputMessageContent::VenueMessageContent(_)),
        "{venue:?}"
    );
    let location: InputMessageContent =
        serde_json::from_value(json!({"latitude": 1.0, "longitude": 2.0})).unwrap();
    assert!(
        matches!(location, InputMessageContent::LocationMessageContent(_)),
        "{location:?}"
    );
}

#[test]
fn inline_results_sharing_a_tag_are_told_apart_by_their_keys() {
    let cached: InlineQueryResult =
        serde_json::from_value(json!({"type": "photo", "id": "1", "photo_file_id": "F"})).unwrap();
    assert!(
        matches!(cached, InlineQueryResult::CachedPhoto(_)),
        "{cached:?}"
    );
    let by_url: InlineQueryResult = serde_json::from_value(json!({
        "type": "photo", "id": "1", "photo_url": "https://a/b.jpg", "thumbnail_url": "https://a/t.jpg"
    }))
    .unwrap();
    assert!(matches!(by_url, InlineQueryResult::Photo(_)), "{by_url:?}");
    let encoded = serde_json::to_value(&cached).unwrap();
    assert_eq!(
        encoded,
        json!({"type": "photo", "id": "1", "photo_file_id": "F"})
    );
}

#[test]
fn rich_text_takes_strings_arrays_and_objects() {
    let text: RichText =
        serde_json::from_value(json!(["plain ", {"type": "bold", "text": "bold"}])).unwrap();
    match &text {
        RichText::Concat(parts) => {
            assert_eq!(parts[0], RichText::Plain("plain ".into()));
            assert!(matches!(parts[1], RichText::Bold(_)));
        }
        other => panic!("expected Concat, got {other:?}"),
    }
    assert_eq!(
        serde_json::to_value(&text).unwrap(),
        json!(["plain ", {"type": "bold", "text": "bold"}])
    );
}
