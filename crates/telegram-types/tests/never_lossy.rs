//! What the decoder must never do: fail on something new, or lose an update of a batch.

use serde_json::json;
use telegram_types::batch::decode_updates;
use telegram_types::{json, ChatMember, MessageEntityType, MessageOrigin, Update, UpdateKind};

fn decode_update(value: serde_json::Value) -> Update {
    let mut bytes = serde_json::to_vec(&value).unwrap();
    json::from_slice(&mut bytes).unwrap()
}

fn text_message(update_id: i64, text: &str) -> serde_json::Value {
    json!({"update_id": update_id, "message": {
        "message_id": update_id, "date": 1_700_000_000,
        "chat": {"id": 42, "type": "private", "first_name": "Ann"},
        "from": {"id": 42, "is_bot": false, "first_name": "Ann"},
        "text": text}})
}

#[test]
fn unknown_fields_never_fail_the_decode_at_any_depth() {
    let mut update = text_message(1, "hi");
    update["future_top_level"] = json!({"a": [1, 2, {"b": null}]});
    update["message"]["future_field"] = json!("x");
    update["message"]["chat"]["future_chat_field"] = json!(true);
    update["message"]["from"]["future_user_field"] = json!(3.5);
    let decoded = decode_update(update);
    let message = decoded.effective_message().expect("a message");
    assert_eq!(message.text.as_deref(), Some("hi"));
    assert_eq!(message.chat.id, 42);
}

#[test]
fn unknown_update_kind_is_kept_raw() {
    let decoded = decode_update(json!({"update_id": 9, "future_kind": {"x": [1, 2]}}));
    assert_eq!(decoded.update_id, 9);
    match &decoded.kind {
        UpdateKind::Unknown { kind, raw } => {
            assert_eq!(kind, "future_kind");
            assert_eq!(**raw, json!({"x": [1, 2]}));
        }
        other => panic!("expected Unknown, got {other:?}"),
    }
    // And it encodes back to what came in.
    let encoded: serde_json::Value =
        serde_json::from_slice(&json::to_vec(&decoded).unwrap()).unwrap();
    assert_eq!(
        encoded,
        json!({"update_id": 9, "future_kind": {"x": [1, 2]}})
    );
}

#[test]
fn a_malformed_update_does_not_fail_its_batch() {
    let mut missing_field = text_message(2, "x");
    missing_field["message"]
        .as_object_mut()
        .unwrap()
        .remove("chat");
    let mut wrong_type = text_message(3, "y");
    wrong_type["message"]["date"] = json!("yesterday");
    let body = json!({"ok": true, "result": [
        text_message(1, "first"),
        missing_field,
        wrong_type,
        {"update_id": 4, "future_kind": {}},
        text_message(5, "last"),
    ]});
    let bytes = serde_json::to_vec(&body).unwrap();
    let updates = decode_updates(&bytes).unwrap().result.unwrap();
    assert_eq!(updates.len(), 5);
    assert_eq!(updates[0].as_ref().unwrap().update_id, 1);
    let missing = updates[1].as_ref().unwrap_err();
    assert_eq!(missing.update_id, Some(2));
    assert!(missing.error.contains("chat"), "{}", missing.error);
    assert_eq!(missing.raw["message"]["text"], "x");
    assert_eq!(updates[2].as_ref().unwrap_err().update_id, Some(3));
    assert!(matches!(
        updates[3].as_ref().unwrap().kind,
        UpdateKind::Unknown { .. }
    ));
    assert_eq!(updates[4].as_ref().unwrap().update_id, 5);
}

#[test]
fn an_update_without_an_id_is_reported_without_one() {
    let body = json!({"ok": true, "result": [{"message": {}}, text_message(2, "ok")]});
    let bytes = serde_json::to_vec(&body).unwrap();
    let updates = decode_updates(&bytes).unwrap().result.unwrap();
    assert_eq!(updates[0].as_ref().unwrap_err().update_id, None);
    assert!(updates[1].is_ok());
}

#[test]
fn a_body_that_is_not_json_is_an_error_for_the_whole_batch() {
    let bytes = b"{\"ok\":true,\"result\":[{\"update_id\":1,".to_vec();
    assert!(decode_updates(&bytes).is_err());
}

#[test]
fn an_error_envelope_decodes_as_such() {
    let bytes = br#"{"ok":false,"error_code":409,"description":"Conflict: terminated by other getUpdates request"}"#.to_vec();
    let response = decode_updates(&bytes).unwrap();
    assert!(!response.ok);
    assert_eq!(response.into_result().unwrap_err().error_code, 409);
}

#[test]
fn utf16_entity_offsets_are_left_intact() {
    // "👍🏽 Привет @ann": the emoji pair is 4 UTF-16 units, so the mention starts at 12.
    let text = "👍🏽 Привет @ann";
    let mut update = text_message(1, text);
    update["message"]["entities"] = json!([{"type": "mention", "offset": 12, "length": 4}]);
    let decoded = decode_update(update);
    let message = decoded.effective_message().unwrap();
    let entity = &message.entities.as_ref().unwrap()[0];
    assert_eq!((entity.offset, entity.length), (12, 4));
    assert_eq!(entity.kind, MessageEntityType::Mention);
    let utf16: Vec<u16> = message.text.as_ref().unwrap().encode_utf16().collect();
    let mention = String::from_utf16(&utf16[12..16]).unwrap();
    assert_eq!(mention, "@ann");
}

#[test]
fn unknown_string_constants_fall_back_to_other() {
    let mut update = text_message(1, "x");
    update["message"]["chat"]["type"] = json!("community");
    update["message"]["entities"] = json!([{"type": "future_entity", "offset": 0, "length": 1}]);
    let decoded = decode_update(update);
    let message = decoded.effective_message().unwrap();
    assert_eq!(
        message.chat.kind,
        telegram_types::ChatType::Other("community".into())
    );
    assert_eq!(
        message.entities.as_ref().unwrap()[0].kind,
        MessageEntityType::Other("future_entity".into())
    );
}

#[test]
fn a_tag_after_other_keys_still_dispatches() {
    // Telegram writes ChatMember's `user` before its `status`.
    let member: ChatMember = serde_json::from_value(json!({
        "user": {"id": 1, "is_bot": false, "first_name": "A"}, "status": "kicked", "until_date": 0
    }))
    .unwrap();
    match &member {
        ChatMember::Banned(banned) => assert_eq!(banned.user.id, 1),
        other => panic!("expected Banned, got {other:?}"),
    }
    assert_eq!(member.user().map(|u| u.id), Some(1));
    let origin: MessageOrigin =
        serde_json::from_value(json!({"date": 5, "type": "hidden_user", "sender_user_name": "X"}))
            .unwrap();
    assert!(matches!(origin, MessageOrigin::HiddenUser(_)));
}

#[test]
fn inaccessible_callback_messages_are_told_apart_by_date() {
    let query = json!({"update_id": 1, "callback_query": {
        "id": "q", "from": {"id": 1, "is_bot": false, "first_name": "A"}, "chat_instance": "c",
        "message": {"message_id": 7, "date": 0, "chat": {"id": 1, "type": "private"}}}});
    let decoded = decode_update(query);
    let UpdateKind::CallbackQuery(q) = &decoded.kind else {
        panic!("not a callback query")
    };
    let message = q.message.as_deref().unwrap();
    assert!(message.message().is_none());
    assert_eq!(message.message_id(), 7);
    assert_eq!(decoded.effective_chat().map(|c| c.id), Some(1));
    assert!(decoded.effective_message().is_none());
}

#[test]
fn an_update_from_an_older_server_decodes() {
    // `can_send_welcome_messages` is required in Bot API 10.3 but absent from 10.1
    // (shared/bot-api/api-10.1.json): a 10.1 server's chat_member update leaves it out.
    let admin = json!({"user": {"id": 7, "is_bot": false, "first_name": "Bo"},
        "status": "administrator", "can_be_edited": false, "is_anonymous": false,
        "can_manage_chat": true, "can_delete_messages": true, "can_manage_video_chats": false,
        "can_restrict_members": true, "can_promote_members": false, "can_change_info": true,
        "can_invite_users": true, "can_post_stories": false, "can_edit_stories": false,
        "can_delete_stories": false});
    let update = json!({"update_id": 11, "chat_member": {
        "chat": {"id": -100, "type": "supergroup", "title": "G"},
        "from": {"id": 1, "is_bot": false, "first_name": "A"}, "date": 1_700_000_000,
        "old_chat_member": {"user": {"id": 7, "is_bot": false, "first_name": "Bo"},
            "status": "member"},
        "new_chat_member": admin}});
    let body = json!({"ok": true, "result": [update]});
    let bytes = serde_json::to_vec(&body).unwrap();
    let updates = decode_updates(&bytes).unwrap().result.unwrap();
    let decoded = updates[0].as_ref().expect("an older-shape update decodes");
    let UpdateKind::ChatMember(changed) = &decoded.kind else {
        panic!("not a chat_member update: {decoded:?}")
    };
    let ChatMember::Administrator(admin) = &changed.new_chat_member else {
        panic!("not an administrator: {changed:?}")
    };
    assert!(admin.can_manage_chat);
    assert!(!admin.can_send_welcome_messages);
    // Encoding writes the field, as the current spec requires.
    let encoded: serde_json::Value = serde_json::to_value(admin).unwrap();
    assert_eq!(encoded["can_send_welcome_messages"], json!(false));
}

#[test]
fn a_required_list_left_out_decodes_as_empty() {
    let answer = json!({"update_id": 12, "poll_answer": {"poll_id": "p", "option_ids": []}});
    let decoded = decode_update(answer);
    let UpdateKind::PollAnswer(answer) = &decoded.kind else {
        panic!("not a poll answer")
    };
    assert!(answer.option_persistent_ids.is_empty());
}

#[test]
fn a_required_number_or_string_left_out_is_still_malformed() {
    // Only booleans and lists have an empty value that means "not there".
    let mut update = text_message(13, "x");
    update["message"].as_object_mut().unwrap().remove("date");
    let body = json!({"ok": true, "result": [update]});
    let bytes = serde_json::to_vec(&body).unwrap();
    let updates = decode_updates(&bytes).unwrap().result.unwrap();
    assert_eq!(updates[0].as_ref().unwrap_err().update_id, Some(13));
}

/// Updates in valid JSON grammar that a parser refuses, each placed where the value is read (an
/// unknown field would be skipped unread by serde_json): nesting past both parsers' depth limits
/// in a future kind's payload, a lone surrogate, `1e400` and an integer beyond 64 bits.
fn refused_updates(update_id: i64) -> Vec<(&'static str, String)> {
    let deep = format!("{}{}", "[".repeat(2000), "]".repeat(2000));
    let message = |message_id: &str, date: &str, text: &str| {
        format!(
            r#""message":{{"message_id":{message_id},"date":{date},"chat":{{"id":7,"type":"private"}},"text":"{text}"}}"#
        )
    };
    let ok = message("1", "1", "hi");
    vec![
        (
            "nesting",
            format!(r#"{{"update_id":{update_id},"future_kind":{deep}}}"#),
        ),
        (
            "lone surrogate",
            format!(
                r#"{{"update_id":{update_id},{}}}"#,
                message("1", "1", r"\ud83d")
            ),
        ),
        (
            "1e400",
            format!(
                r#"{{"update_id":{update_id},{}}}"#,
                message("1", "1e400", "hi")
            ),
        ),
        (
            "beyond 64 bits",
            format!(
                r#"{{"update_id":{update_id},{}}}"#,
                message("123456789012345678901234567890", "1", "hi")
            ),
        ),
        (
            "all",
            format!(
                r#"{{"update_id":{update_id},"future_kind":{deep},{}}}"#,
                message("123456789012345678901234567890", "1e400", r"\ud83d")
            ),
        ),
        (
            "none (control)",
            format!(r#"{{"update_id":{update_id},{ok}}}"#),
        ),
    ]
}

#[test]
fn an_update_the_parser_refuses_does_not_fail_its_batch() {
    for (construct, bad) in refused_updates(4) {
        let mut elements: Vec<String> = (1..=7)
            .map(|id| text_message(id, &format!("m{id}")).to_string())
            .collect();
        elements[3] = bad;
        // Strings with escapes before and after the bad update: the simd parser rewrites
        // those in place, the fallback must read the body as received.
        elements[2] = text_message(3, "a\n\"quoted\"\t\u{e9}").to_string();
        let body = format!(r#"{{"ok":true,"result":[{}]}}"#, elements.join(","));
        let updates = decode_updates(body.as_bytes()).unwrap().result.unwrap();
        assert_eq!(updates.len(), 7, "{construct}");
        for (index, update) in updates.iter().enumerate() {
            let id = index as i64 + 1;
            if index == 3 && construct != "none (control)" {
                let malformed = update.as_ref().expect_err(construct);
                assert_eq!(malformed.update_id, Some(4), "{construct}");
            } else {
                let update = update
                    .as_ref()
                    .unwrap_or_else(|e| panic!("{construct}: {e}"));
                assert_eq!(update.update_id, id, "{construct}");
            }
        }
        let third = updates[2].as_ref().unwrap().effective_message().unwrap();
        assert_eq!(
            third.text.as_deref(),
            Some("a\n\"quoted\"\t\u{e9}"),
            "{construct}"
        );
    }
}

#[test]
fn several_malformed_updates_of_a_batch_are_each_isolated() {
    let wrong_type = |id: i64| {
        let mut update = text_message(id, "x");
        update["message"]["date"] = json!("yesterday");
        update.to_string()
    };
    let elements = [
        wrong_type(1),
        text_message(2, "ok").to_string(),
        wrong_type(3),
        wrong_type(4),
        refused_updates(5)[1].1.clone(),
        text_message(6, "ok").to_string(),
        wrong_type(7),
    ];
    let body = format!(r#"{{"ok":true,"result":[{}]}}"#, elements.join(" , "));
    let updates = decode_updates(body.as_bytes()).unwrap().result.unwrap();
    let shape: Vec<Result<i64, Option<i64>>> = updates
        .iter()
        .map(|u| match u {
            Ok(update) => Ok(update.update_id),
            Err(malformed) => Err(malformed.update_id),
        })
        .collect();
    assert_eq!(
        shape,
        [
            Err(Some(1)),
            Ok(2),
            Err(Some(3)),
            Err(Some(4)),
            Err(Some(5)),
            Ok(6),
            Err(Some(7))
        ]
    );
    // An update serde_json cannot parse is kept as its text.
    assert!(updates[4]
        .as_ref()
        .unwrap_err()
        .raw
        .as_str()
        .unwrap()
        .contains(r"\ud83d"));
}

#[test]
fn a_body_whose_updates_cannot_be_told_apart_is_an_error() {
    let refused = &refused_updates(1)[1].1;
    for body in [
        format!(r#"{{"ok":true,"result":[{refused}"#),
        format!(r#"{{"ok":true,"result":{refused}}}"#),
        format!(r#"{{"ok":true,"result":[{refused}]}} trailing"#),
    ] {
        assert!(decode_updates(body.as_bytes()).is_err(), "{body}");
    }
}

/// On the simd path, the updates after one that does not fit are decoded from the tape the
/// parser already filled (the body parses): each malformed one keeps its id, its raw form
/// and its error, and the ones around decode as they would alone, however the bad ones sit.
#[test]
fn updates_that_do_not_fit_are_isolated_wherever_they_sit_in_a_parsed_body() {
    let wrong_type = |id: i64| {
        let mut update = text_message(id, "x");
        update["message"]["date"] = json!("yesterday");
        update
    };
    let mut with_unknown_key = text_message(5, "kept");
    with_unknown_key["message"]["future_field"] = json!({"nested": [1, {"deep": true}]});
    let elements = [
        wrong_type(1),
        text_message(2, "ok"),
        wrong_type(3),
        wrong_type(4),
        with_unknown_key,
        json!(6),
        json!({"update_id": 7, "future_kind": {"x": [1, 2]}}),
        wrong_type(8),
    ];
    let body = serde_json::to_vec(&json!({"ok": true, "result": elements})).unwrap();
    let updates = decode_updates(&body).unwrap().result.unwrap();
    assert_eq!(updates.len(), elements.len());
    for (update, raw) in updates.iter().zip(&elements) {
        match update {
            Ok(update) => assert_eq!(update, &decode_update(raw.clone())),
            Err(malformed) => {
                assert_eq!(&malformed.raw, raw);
                assert_eq!(malformed.update_id, raw["update_id"].as_i64());
            }
        }
    }
    let malformed: Vec<usize> = (0..updates.len())
        .filter(|&i| updates[i].is_err())
        .collect();
    assert_eq!(malformed, [0, 2, 3, 5, 7]);
    // Each says why (the text is the backend's: simd-json names what it expected).
    for i in malformed {
        assert!(!updates[i].as_ref().unwrap_err().error.is_empty());
    }
}
