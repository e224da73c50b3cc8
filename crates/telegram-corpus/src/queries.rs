//! Queries a user sends to the bot and payment events: callback queries, inline queries and
//! chosen results, shipping and pre-checkout queries, paid media purchases and subscriptions.

use crate::json::{Json, Obj};
use crate::media;
use crate::message;
use crate::people::Chat;
use crate::replies;
use crate::world::World;

/// `CallbackQuery`: a button press under a message the bot sent (the full message most of the
/// time, sometimes an inaccessible one with `date` 0, sometimes an inline message).
pub(crate) fn callback_query(w: &mut World) -> Json {
    let user = w.user();
    let mut o = Obj::new()
        .with("id", w.query_id())
        .with("from", user.to_json());
    let mut data = Vec::new();
    match *w
        .rng
        .weighted(&[("message", 85), ("inaccessible", 8), ("inline", 7)])
    {
        "message" => {
            let chat = if w.rng.percent(70) {
                user.private_chat()
            } else {
                w.group()
            };
            let (message, buttons) = message::bot_message(w, &chat);
            o.push("message", message);
            o.push("chat_instance", chat_instance(&chat));
            data = buttons;
        }
        "inaccessible" => {
            let chat = if w.rng.percent(70) {
                user.private_chat()
            } else {
                w.group()
            };
            o.push("message", replies::inaccessible(w, &chat));
            o.push("chat_instance", chat_instance(&chat));
        }
        _ => {
            o.push("inline_message_id", inline_message_id(w));
            o.push("chat_instance", (w.rng.next_u64() as i64).to_string());
        }
    }
    if w.rng.percent(3) {
        o.push("game_short_name", "snake2026");
    } else if data.is_empty() {
        let prefix = w.rng.pick(&["yes", "no", "page", "vote:up"]);
        o.push("data", format!("{prefix}:{}", w.rng.range(1, 9)));
    } else {
        o.push("data", w.rng.pick_ref(&data).as_str());
    }
    o.into()
}

/// `chat_instance`: a global identifier of the chat, stable across callback queries.
fn chat_instance(chat: &Chat) -> String {
    let mixed = (chat.id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5DEE_CE66_D1CE_4E5B;
    (mixed as i64).to_string()
}

/// An `inline_message_id` as Telegram encodes it.
fn inline_message_id(w: &mut World) -> String {
    format!("AgAAA{}", media::random_token(&mut w.rng, 22))
}

/// What people type after `@bot `.
const INLINE_QUERIES: &[&str] = &[
    "",
    "cats",
    "котики",
    "weather Berlin",
    "\"exact phrase\"",
    "gif 🐱",
    "翻译 hello",
    "c:\\path",
    "rust serde json",
];

/// `InlineQuery`: a user typed `@SomeBot …` in some chat.
pub(crate) fn inline_query(w: &mut World) -> Json {
    let mut o = Obj::new()
        .with("id", w.query_id())
        .with("from", w.user().to_json());
    if w.rng.percent(90) {
        o.push(
            "chat_type",
            w.rng
                .pick(&["sender", "private", "group", "supergroup", "channel"]),
        );
    }
    o.push("query", w.rng.pick(INLINE_QUERIES));
    o.push(
        "offset",
        if w.rng.percent(80) {
            String::new()
        } else {
            (w.rng.range(1, 10) * 20).to_string()
        },
    );
    if w.rng.percent(5) {
        o.push("location", media::location(w, false));
    }
    o.into()
}

/// `ChosenInlineResult`: the user picked one of the bot's inline results.
pub(crate) fn chosen_inline_result(w: &mut World) -> Json {
    let mut o = Obj::new()
        .with("result_id", w.rng.range(0, 49).to_string())
        .with("from", w.user().to_json());
    if w.rng.percent(5) {
        o.push("location", media::location(w, false));
    }
    if w.rng.percent(40) {
        o.push("inline_message_id", inline_message_id(w));
    }
    o.push("query", w.rng.pick(INLINE_QUERIES));
    o.into()
}

/// A `ShippingAddress`.
fn shipping_address(w: &mut World) -> Json {
    let (country, state, city, street, post) = w.rng.pick(&[
        ("US", "CA", "San Francisco", "1 Market St", "94105"),
        ("DE", "", "Berlin", "Unter den Linden 77", "10117"),
        (
            "RU",
            "Московская обл.",
            "Химки",
            "ул. Ленина, д. 5",
            "141400",
        ),
        ("JP", "東京都", "港区", "芝公園4-2-8", "105-0011"),
    ]);
    Obj::new()
        .with("country_code", country)
        .with("state", state)
        .with("city", city)
        .with("street_line1", street)
        .with(
            "street_line2",
            if w.rng.percent(30) { "Apt. 4" } else { "" },
        )
        .with("post_code", post)
        .into()
}

/// An invoice payload the bot set: often JSON, so it needs escaping.
fn invoice_payload(w: &mut World) -> String {
    match w.rng.below(3) {
        0 => format!("order-{}", w.rng.range(1_000, 99_999)),
        1 => format!(
            "{{\"order\":{},\"sku\":\"tee-{}\"}}",
            w.rng.range(1, 9_999),
            w.rng.pick(&["s", "m", "l"])
        ),
        _ => media::random_token(&mut w.rng, 32),
    }
}

/// `ShippingQuery`: the user chose a shipping address for a flexible-price invoice.
pub(crate) fn shipping_query(w: &mut World) -> Json {
    Obj::new()
        .with("id", w.query_id())
        .with("from", w.user().to_json())
        .with("invoice_payload", invoice_payload(w))
        .with("shipping_address", shipping_address(w))
        .into()
}

/// `PreCheckoutQuery`: the user confirmed a payment (Telegram Stars or a fiat currency).
pub(crate) fn pre_checkout_query(w: &mut World) -> Json {
    let stars = w.rng.percent(50);
    let (currency, amount) = if stars {
        ("XTR", w.rng.range(1, 2_500))
    } else {
        (
            w.rng.pick(&["USD", "EUR", "RUB", "GBP"]),
            w.rng.range(99, 99_999),
        )
    };
    let mut o = Obj::new()
        .with("id", w.query_id())
        .with("from", w.user().to_json())
        .with("currency", currency)
        .with("total_amount", amount)
        .with("invoice_payload", invoice_payload(w));
    if !stars && w.rng.percent(40) {
        o.push("shipping_option_id", w.rng.pick(&["standard", "express"]));
        let user = w.user();
        let info = Obj::new()
            .with("name", user.full_name())
            .with(
                "phone_number",
                format!("{}", w.rng.range(10_000_000_000, 99_999_999_999)),
            )
            .with("email", "buyer@example.com")
            .with("shipping_address", shipping_address(w));
        o.push("order_info", info);
    }
    o.into()
}

/// `PaidMediaPurchased`: a user bought paid media the bot sent.
pub(crate) fn purchased_paid_media(w: &mut World) -> Json {
    Obj::new()
        .with("from", w.user().to_json())
        .with("paid_media_payload", invoice_payload(w))
        .into()
}

/// `BotSubscriptionUpdated`: a user's subscription to the bot changed state.
pub(crate) fn subscription(w: &mut World) -> Json {
    Obj::new()
        .with("user", w.user().to_json())
        .with("invoice_payload", invoice_payload(w))
        .with(
            "state",
            *w.rng
                .weighted(&[("canceled", 50), ("active", 30), ("failed", 20)]),
        )
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_queries_mostly_carry_full_messages() {
        let mut w = World::new(81);
        let (mut full, mut inaccessible, mut inline) = (0, 0, 0);
        for _ in 0..1_000 {
            let Json::Obj(q) = callback_query(&mut w) else {
                panic!("object")
            };
            assert!(q.get("chat_instance").is_some());
            match q.get("message") {
                Some(Json::Obj(m)) if m.get("date") == Some(&Json::Int(0)) => inaccessible += 1,
                Some(_) => full += 1,
                None => {
                    assert!(q.get("inline_message_id").is_some());
                    inline += 1;
                }
            }
        }
        assert!(
            full > 750 && inaccessible > 30 && inline > 30,
            "{full} {inaccessible} {inline}"
        );
    }

    #[test]
    fn callback_data_comes_from_the_message_keyboard() {
        let mut w = World::new(82);
        for _ in 0..300 {
            let q = callback_query(&mut w);
            let Json::Obj(o) = &q else { panic!("object") };
            let (Some(Json::Str(data)), Some(Json::Obj(m))) = (o.get("data"), o.get("message"))
            else {
                continue;
            };
            if let Some(markup) = m.get("reply_markup") {
                let mut out = String::new();
                markup.write(&mut out);
                let has_callback_buttons = out.contains("callback_data");
                assert!(
                    !has_callback_buttons || out.contains(&format!("\"callback_data\":\"{data}\"")),
                    "{data} {out}"
                );
            }
        }
    }

    #[test]
    fn chat_instance_is_stable_per_chat() {
        let mut w = World::new(83);
        let chat = w.group();
        assert_eq!(chat_instance(&chat), chat_instance(&chat));
        assert_ne!(
            chat_instance(&chat),
            chat_instance(&w.user().private_chat())
        );
    }
}
