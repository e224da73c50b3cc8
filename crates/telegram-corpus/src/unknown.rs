//! What a future Bot API might send: unknown fields inside known objects, and updates of an
//! unknown kind. A decoder must skip the first and keep the second as "unknown" without losing
//! the batch.
//!
//! Every unknown key starts with `future_`, so tests (and people reading a corpus) can tell the
//! deliberate unknowns from mistakes.

use crate::json::{Json, Obj};
use crate::world::World;

/// Kind keys no Bot API version has; used for unknown updates.
pub(crate) const UNKNOWN_KINDS: &[&str] = &[
    "future_update_kind",
    "future_story_reaction",
    "future_gift_auction",
];

/// Field names for unknown fields.
const UNKNOWN_FIELDS: &[&str] = &[
    "future_field_x",
    "future_flags",
    "future_settings",
    "future_items",
    "future_note",
    "future_counter",
];

/// Gives about `per_mille`/1000 of the objects in `json` (at any depth) one unknown field, at a
/// random position among the known ones.
pub(crate) fn sprinkle(w: &mut World, json: &mut Json, per_mille: u64) {
    match json {
        Json::Arr(items) => {
            for item in items {
                sprinkle(w, item, per_mille);
            }
        }
        Json::Obj(obj) => {
            for (_, value) in &mut obj.fields {
                sprinkle(w, value, per_mille);
            }
            if w.rng.per_mille(per_mille) {
                let key = w.rng.pick(UNKNOWN_FIELDS);
                if obj.get(key).is_none() {
                    let at = w.rng.index(obj.fields.len() + 1);
                    let value = future_value(w, 0);
                    obj.fields.insert(at, (key, value));
                }
            }
        }
        _ => {}
    }
}

/// A value of a shape no decoder knows: scalars, nested objects and arrays.
fn future_value(w: &mut World, depth: usize) -> Json {
    let nested = if depth < 3 { 55 } else { 0 };
    match *w.rng.weighted(&[
        ("int", 15),
        ("str", 15),
        ("bool", 10),
        ("float", 5),
        ("obj", nested),
        ("arr", nested / 2),
    ]) {
        "int" => Json::Int(w.rng.range(-1, 1 << 40)),
        "str" => Json::from(w.rng.pick(&[
            "",
            "new",
            "нечто новое 🆕",
            "with \"quotes\" and \\ slash\n",
        ])),
        "bool" => Json::Bool(w.rng.percent(50)),
        "float" => Json::Float((w.rng.unit() * 1e4).round() / 100.0),
        "obj" => {
            let mut o = Obj::new();
            for key in ["kind", "value", "items"]
                .into_iter()
                .take(w.rng.range(1, 3) as usize)
            {
                o.push(key, future_value(w, depth + 1));
            }
            o.into()
        }
        _ => {
            let n = w.rng.range(0, 3);
            Json::Arr((0..n).map(|_| future_value(w, depth + 1)).collect())
        }
    }
}

/// The payload of an unknown update kind: chat-like data plus unknown structure.
pub(crate) fn unknown_payload(w: &mut World) -> Json {
    let user = w.user();
    let chat = if w.rng.percent(50) {
        user.private_chat()
    } else {
        w.group()
    };
    Obj::new()
        .with("chat", chat.to_json())
        .with("from", user.to_json())
        .with("date", w.now())
        .with("future_items", vec![future_value(w, 1), future_value(w, 1)])
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (objects, objects with an unknown field), not looking inside unknown values.
    fn count(json: &Json) -> (usize, usize) {
        match json {
            Json::Arr(items) => items
                .iter()
                .map(count)
                .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1)),
            Json::Obj(o) => {
                let mut total = (1, 0);
                for (k, v) in &o.fields {
                    if k.starts_with("future_") {
                        total.1 = 1;
                    } else {
                        let (a, b) = count(v);
                        total = (total.0 + a, total.1 + b);
                    }
                }
                total
            }
            _ => (0, 0),
        }
    }

    #[test]
    fn about_five_percent_of_objects_gain_an_unknown_field() {
        let mut w = World::new(91);
        let (mut objects, mut unknown) = (0, 0);
        for _ in 0..2_000 {
            let mut m = crate::message::message(&mut w, crate::message::Flavor::Message);
            sprinkle(&mut w, &mut m, 50);
            let (a, b) = count(&m);
            objects += a;
            unknown += b;
        }
        let share = unknown as f64 / objects as f64;
        assert!((0.035..0.065).contains(&share), "{share}");
    }

    #[test]
    fn unknown_values_nest() {
        let mut w = World::new(92);
        let values: Vec<Json> = (0..200).map(|_| future_value(&mut w, 0)).collect();
        assert!(values.iter().any(|v| matches!(v, Json::Obj(o) if o.fields.iter().any(|(_, v)| matches!(v, Json::Obj(_) | Json::Arr(_))))));
        assert!(values.iter().any(|v| matches!(v, Json::Arr(_))));
        assert!(values.iter().any(|v| matches!(v, Json::Int(_))));
    }
}
