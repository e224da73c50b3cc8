//! Every update of the generated corpus decodes, re-encodes without losing a known field or
//! writing a `null`, and decodes again to an equal value.

use serde_json::Value;
use telegram_corpus::{get_updates_response, CorpusConfig, Mix, UPDATE_KINDS};
use telegram_types::batch::decode_updates;
use telegram_types::{json, Update, UpdateKind};

fn corpora() -> Vec<CorpusConfig> {
    let mut out = Vec::new();
    for seed in [1, 2, 3] {
        out.push(CorpusConfig {
            mix: Mix::EveryKind,
            ..CorpusConfig::new(seed, 300)
        });
        out.push(CorpusConfig {
            mix: Mix::Realistic,
            ..CorpusConfig::new(seed + 100, 300)
        });
    }
    out
}

#[test]
fn every_corpus_update_round_trips() {
    let mut kinds_seen = std::collections::BTreeSet::new();
    for config in corpora() {
        let body = get_updates_response(&config);
        let original: Value = serde_json::from_slice(&body).unwrap();
        let originals = original["result"].as_array().unwrap();
        let decoded = decode_updates(&body).unwrap().result.unwrap();
        assert_eq!(decoded.len(), originals.len());
        for (update, raw) in decoded.iter().zip(originals) {
            let update = update
                .as_ref()
                .unwrap_or_else(|e| panic!("seed {}: {e}\n{raw}", config.seed));
            kinds_seen.insert(update.kind.key().to_owned());
            check_round_trip(update, raw);
        }
    }
    eprintln!("kinds seen: {}", kinds_seen.len());
    for kind in UPDATE_KINDS {
        assert!(
            kinds_seen.contains(*kind),
            "the corpus never produced {kind}"
        );
    }
    assert!(
        kinds_seen
            .iter()
            .any(|k| !UPDATE_KINDS.contains(&k.as_str())),
        "no unknown kind was exercised"
    );
}

fn check_round_trip(update: &Update, raw: &Value) {
    let mut encoded = json::to_vec(update).unwrap();
    let encoded_value: Value = serde_json::from_slice(&encoded).unwrap();
    let again: Update = json::from_slice(&mut encoded).unwrap();
    assert_eq!(&again, update, "decode(encode(x)) != x for\n{raw}");
    assert_no_nulls(&encoded_value, "");
    if let UpdateKind::Unknown { .. } = update.kind {
        assert_eq!(
            &encoded_value, raw,
            "an unknown kind must come back as it was"
        );
    } else {
        let mut problems = Vec::new();
        compare(raw, &encoded_value, String::new(), &mut problems);
        assert!(
            problems.is_empty(),
            "re-encoding changed the update:\n{}\n{raw}",
            problems.join("\n")
        );
    }
}

fn assert_no_nulls(value: &Value, path: &str) {
    match value {
        Value::Null => panic!("encoded a null at {path}"),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, v)| assert_no_nulls(v, &format!("{path}[{i}]"))),
        Value::Object(map) => map
            .iter()
            .for_each(|(k, v)| assert_no_nulls(v, &format!("{path}.{k}"))),
        _ => {}
    }
}

/// What may differ: fields the corpus marks as unknown (`future_*`) are dropped, and an optional
/// `false` flag is left out (absent means false). Anything else is a lost or altered field.
fn compare(original: &Value, encoded: &Value, path: String, problems: &mut Vec<String>) {
    match (original, encoded) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                match b.get(key) {
                    Some(other) => compare(value, other, format!("{path}.{key}"), problems),
                    None if key.starts_with("future_") || *value == Value::Bool(false) => {}
                    None => problems.push(format!("lost {path}.{key}")),
                }
            }
            for key in b.keys().filter(|k| !a.contains_key(*k)) {
                problems.push(format!("added {path}.{key}"));
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                compare(x, y, format!("{path}[{i}]"), problems);
            }
        }
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => {}
        (a, b) if a == b => {}
        (a, b) => problems.push(format!("changed {path}: {a} -> {b}")),
    }
}
