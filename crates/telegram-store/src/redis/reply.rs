//! Decoding the replies of the store's Lua scripts (`scripts.rs`) into typed outcomes, and of
//! the `HGETALL` that reads one entry.
//!
//! A script's reply is a flat array starting with a tag. A reply of another shape can only come from a
//! server that runs something else under the scripts' hash or from a bug; it decodes to an
//! error message (the caller reports it as corrupt), never to a panic.

use bytes::Bytes;
use redis::Value;

use crate::{Entry, ScanPage, StoreError, Version};

/// What a script answered.
#[derive(Debug)]
pub(super) enum Reply {
    /// `delete`: there was nothing to delete.
    Absent,
    /// `put`: written, with this new version.
    Written(Version),
    /// `put` / `delete`: the version was not the expected one.
    Conflict,
    /// `delete`: deleted.
    Deleted,
    /// `scan`: one page.
    Page(ScanPage),
    /// The key holds something the store did not write.
    Corrupt(String),
    /// `scan`: this member's key holds something the store did not write.
    CorruptMember {
        /// The user key.
        key: Vec<u8>,
        /// What is wrong with it.
        reason: String,
    },
}

impl Reply {
    /// Decodes a script's reply; `Err` says why it has an unexpected shape.
    pub(super) fn decode(value: Value) -> Result<Reply, String> {
        let Value::Array(items) = value else {
            return Err(format!("expected an array reply, got {}", kind(&value)));
        };
        let mut items = items.into_iter();
        let tag = items.next().ok_or("empty reply")?;
        let tag = bytes(tag)?;
        let reply = match tag.as_slice() {
            b"absent" => Reply::Absent,
            b"conflict" => Reply::Conflict,
            b"deleted" => Reply::Deleted,
            b"written" => Reply::Written(version(items.next())?),
            b"corrupt" => {
                let rest: Vec<Value> = items.by_ref().collect();
                match <[Value; 2]>::try_from(rest) {
                    Ok([member, reason]) => Reply::CorruptMember {
                        key: bytes(member)?,
                        reason: text(reason)?,
                    },
                    Err(rest) => {
                        let reason = rest.into_iter().next().ok_or("corrupt without a reason")?;
                        Reply::Corrupt(text(reason)?)
                    }
                }
            }
            b"page" => Reply::Page(page(&mut items)?),
            other => {
                return Err(format!(
                    "unknown reply tag {:?}",
                    String::from_utf8_lossy(other)
                ))
            }
        };
        match items.next() {
            None => Ok(reply),
            Some(extra) => Err(format!("trailing {} in the reply", kind(&extra))),
        }
    }

    /// The error for a reply the call did not expect (a corrupt key, or a script answering out
    /// of turn).
    pub(super) fn unexpected(self, key: &[u8]) -> StoreError {
        let reason = match self {
            Reply::Corrupt(reason) => reason,
            other => format!("unexpected reply {other:?}"),
        };
        StoreError::corrupt(key, reason)
    }
}

/// The entry in an `HGETALL` reply (`None`: the key does not exist). The checks match the
/// scripts' `read_entry`: fields `ver` (a positive decimal integer) and `val`; other fields
/// are ignored.
pub(super) fn entry_from_fields(fields: Value) -> Result<Option<Entry>, String> {
    let pairs = match fields {
        Value::Map(pairs) => pairs,
        Value::Array(flat) => {
            let mut flat = flat.into_iter();
            let mut pairs = Vec::new();
            while let Some(field) = flat.next() {
                pairs.push((field, flat.next().ok_or("a field without its value")?));
            }
            pairs
        }
        other => return Err(format!("expected the entry's fields, got {}", kind(&other))),
    };
    if pairs.is_empty() {
        return Ok(None);
    }
    let (mut ver, mut val) = (None, None);
    for (field, content) in pairs {
        match bytes(field)?.as_slice() {
            b"ver" => ver = Some(content),
            b"val" => val = Some(content),
            // Like the scripts, other fields are let be.
            _ => {}
        }
    }
    let (Some(ver), Some(val)) = (ver, val) else {
        return Err("entry hash without its ver and val fields".to_owned());
    };
    Ok(Some(Entry {
        version: version(Some(ver))?,
        value: Bytes::from(bytes(val)?),
    }))
}

/// `page more (member version value)*`: the entries, and `next` (the last member) when the
/// script saw one more live key after them.
fn page(items: &mut impl Iterator<Item = Value>) -> Result<ScanPage, String> {
    let more = match items.next() {
        Some(Value::Int(more)) => more != 0,
        Some(other) => return Err(format!("page flag is {}", kind(&other))),
        None => return Err("page without its flag".to_owned()),
    };
    let mut entries = Vec::new();
    while let Some(member) = items.next() {
        let key = Bytes::from(bytes(member)?);
        let version = version(items.next())?;
        let value = Bytes::from(bytes(items.next().ok_or("page entry without a value")?)?);
        entries.push((key, Entry { value, version }));
    }
    let next = if more {
        let (last, _) = entries.last().ok_or("an empty page that goes on")?;
        Some(last.clone())
    } else {
        None
    };
    Ok(ScanPage { entries, next })
}

/// A version: an integer reply (`put`) or the decimal text of the `ver` field, which must be
/// written as the scripts write it (a positive integer, no sign, no leading zero: the scripts
/// compare versions as text).
fn version(value: Option<Value>) -> Result<Version, String> {
    match value.ok_or("missing version")? {
        Value::Int(v) if v > 0 => Ok(v.unsigned_abs()),
        Value::Int(v) => Err(format!("version {v} is not positive")),
        Value::BulkString(text) => parse_version(&text).ok_or_else(|| {
            format!(
                "version {:?} is not a positive integer",
                String::from_utf8_lossy(&text)
            )
        }),
        other => Err(format!("version is {}", kind(&other))),
    }
}

fn parse_version(text: &[u8]) -> Option<Version> {
    let canonical =
        matches!(text.first(), Some(b'1'..=b'9')) && text.iter().all(u8::is_ascii_digit);
    canonical
        .then(|| std::str::from_utf8(text).ok()?.parse().ok())
        .flatten()
}

fn bytes(value: Value) -> Result<Vec<u8>, String> {
    match value {
        Value::BulkString(bytes) => Ok(bytes),
        Value::SimpleString(text) => Ok(text.into_bytes()),
        other => Err(format!("expected a string, got {}", kind(&other))),
    }
}

fn text(value: Value) -> Result<String, String> {
    bytes(value).map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}

/// A short name of a reply's type (never its content, which may be a 1 MiB value).
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Nil => "nil",
        Value::Int(_) => "an integer",
        Value::BulkString(_) | Value::SimpleString(_) | Value::VerbatimString { .. } => "a string",
        Value::Array(_) | Value::Set(_) => "an array",
        Value::Map(_) => "a map",
        _ => "another type",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &[u8]) -> Value {
        Value::BulkString(text.to_vec())
    }

    #[test]
    fn a_page_that_goes_on_points_after_its_last_key() {
        let reply = Value::Array(vec![
            s(b"page"),
            Value::Int(1),
            s(b"a"),
            s(b"3"),
            s(b"x"),
            s(b"b"),
            s(b"1"),
            s(b"y"),
        ]);
        let Ok(Reply::Page(page)) = Reply::decode(reply) else {
            panic!("not a page");
        };
        assert_eq!(page.entries.len(), 2);
        assert_eq!(page.entries[0].1.version, 3);
        assert_eq!(page.next.as_deref(), Some(&b"b"[..]));
    }

    #[test]
    fn an_entry_is_read_from_its_fields_in_any_order() {
        let flat = Value::Array(vec![s(b"val"), s(b"x"), s(b"ver"), s(b"12")]);
        let entry = entry_from_fields(flat).expect("an entry");
        assert_eq!(entry.map(|e| (e.version, e.value)), Some((12, "x".into())));
        let map = Value::Map(vec![(s(b"ver"), s(b"1")), (s(b"val"), s(b""))]);
        assert!(entry_from_fields(map).expect("an entry").is_some());
        assert_eq!(entry_from_fields(Value::Array(vec![])), Ok(None));
    }

    #[test]
    fn foreign_hashes_are_not_entries() {
        for fields in [
            vec![s(b"val"), s(b"x")],
            vec![s(b"ver"), s(b"1")],
            vec![s(b"ver"), s(b"0"), s(b"val"), s(b"x")],
            vec![s(b"ver"), s(b"007"), s(b"val"), s(b"x")],
            vec![s(b"ver"), s(b"99999999999999999999"), s(b"val"), s(b"x")],
            vec![s(b"ver"), s(b"1"), s(b"val")],
        ] {
            assert!(entry_from_fields(Value::Array(fields)).is_err());
        }
    }

    #[test]
    fn malformed_replies_are_errors_not_panics() {
        for reply in [
            Value::Nil,
            Value::Array(vec![]),
            Value::Array(vec![s(b"nonsense")]),
            Value::Array(vec![s(b"page"), Value::Int(0), s(b"a"), s(b"01"), s(b"v")]),
            Value::Array(vec![s(b"page"), Value::Int(0), s(b"a"), s(b"-1"), s(b"v")]),
            Value::Array(vec![s(b"written"), Value::Int(-2)]),
            Value::Array(vec![s(b"page"), Value::Int(1)]),
            Value::Array(vec![s(b"page"), Value::Int(0), s(b"a"), s(b"1")]),
            Value::Array(vec![s(b"absent"), s(b"extra")]),
        ] {
            assert!(Reply::decode(reply).is_err());
        }
    }
}
