//! Decoding the replies of the store's Lua scripts (`scripts.rs`) into typed outcomes.
//!
//! A reply is a flat array starting with a tag. A reply of another shape can only come from a
//! server that runs something else under the scripts' hash or from a bug; it decodes to an
//! error message (the caller reports it as corrupt), never to a panic.

use bytes::Bytes;
use redis::Value;

use crate::{Entry, ScanPage, StoreError, Version};

/// What a script answered.
#[derive(Debug)]
pub(super) enum Reply {
    /// `get`: the key does not exist; `delete`: there was nothing to delete.
    Absent,
    /// `get`: the key's entry.
    Entry(Entry),
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
            b"entry" => {
                let version = version(items.next())?;
                let value = Bytes::from(bytes(items.next().ok_or("entry without a value")?)?);
                Reply::Entry(Entry { value, version })
            }
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
        StoreError::Corrupt {
            key: String::from_utf8_lossy(key).into_owned(),
            reason,
        }
    }
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

/// A version: an integer reply (`put`) or the decimal text of the `ver` field (the scripts
/// have checked it is a positive integer).
fn version(value: Option<Value>) -> Result<Version, String> {
    match value.ok_or("missing version")? {
        Value::Int(v) => Version::try_from(v).map_err(|_| format!("negative version {v}")),
        Value::BulkString(text) => std::str::from_utf8(&text)
            .ok()
            .and_then(|text| text.parse().ok())
            .ok_or_else(|| format!("version {:?} is not a u64", String::from_utf8_lossy(&text))),
        other => Err(format!("version is {}", kind(&other))),
    }
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
    fn malformed_replies_are_errors_not_panics() {
        for reply in [
            Value::Nil,
            Value::Array(vec![]),
            Value::Array(vec![s(b"nonsense")]),
            Value::Array(vec![s(b"entry"), s(b"-1"), s(b"v")]),
            Value::Array(vec![s(b"entry"), s(b"1")]),
            Value::Array(vec![s(b"written"), Value::Int(-2)]),
            Value::Array(vec![s(b"page"), Value::Int(1)]),
            Value::Array(vec![s(b"page"), Value::Int(0), s(b"a"), s(b"1")]),
            Value::Array(vec![s(b"absent"), s(b"extra")]),
        ] {
            assert!(Reply::decode(reply).is_err());
        }
    }
}
