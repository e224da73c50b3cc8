//! `JobId`: a job's id kept inside the job's own allocation when it is short (generated
//! in-memory ids, most ids given by bots), on the heap only when it is long.
//!
//! A million pending jobs each paying for a separate `Arc<str>` cost ~48 MB; inline, nothing.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

/// The longest id kept inline (the enum stays 24 bytes, the size of a `String`).
const INLINE: usize = 22;

/// A job's id: a string, inline up to [`INLINE`] bytes.
#[derive(Clone)]
pub(crate) enum JobId {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<str>),
}

impl JobId {
    /// A random id of 16 hex digits (an in-memory job's: unique within the process).
    pub(crate) fn random64() -> Self {
        JobId::hex(u128::from(rand::random::<u64>()), 16)
    }

    /// A random id of 32 hex digits (a persistent job's: unique across processes).
    pub(crate) fn random128() -> Self {
        JobId::hex(rand::random::<u128>(), 32)
    }

    /// `value`'s lowest `digits` hex digits, zero-padded, without a `String` in between.
    fn hex(value: u128, digits: usize) -> Self {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut text = [0u8; 32];
        for (i, byte) in text[..digits].iter_mut().rev().enumerate() {
            // Each digit is four bits of `value`, lowest last.
            *byte = DIGITS[((value >> (4 * i)) & 0xf) as usize];
        }
        let text = std::str::from_utf8(&text[..digits]).unwrap_or_default();
        JobId::from(text)
    }

    pub(crate) fn as_str(&self) -> &str {
        match self {
            // Always the bytes of a whole `str` (see `From<&str>`), so this never fails.
            JobId::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            JobId::Heap(text) => text,
        }
    }
}

impl From<&str> for JobId {
    fn from(text: &str) -> Self {
        match u8::try_from(text.len()) {
            Ok(len) if text.len() <= INLINE => {
                let mut bytes = [0u8; INLINE];
                bytes[..text.len()].copy_from_slice(text.as_bytes());
                JobId::Inline { len, bytes }
            }
            _ => JobId::Heap(text.into()),
        }
    }
}

impl From<String> for JobId {
    fn from(text: String) -> Self {
        if text.len() <= INLINE {
            JobId::from(text.as_str())
        } else {
            JobId::Heap(text.into_boxed_str())
        }
    }
}

impl Deref for JobId {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for JobId {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for JobId {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for JobId {}

impl PartialOrd for JobId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for JobId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for JobId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ids_are_inline_and_long_ones_on_the_heap() {
        let short = JobId::from("tea:42");
        assert!(matches!(short, JobId::Inline { .. }));
        assert_eq!(&*short, "tea:42");
        let edge = "x".repeat(INLINE);
        assert!(matches!(JobId::from(edge.as_str()), JobId::Inline { .. }));
        let long = "y".repeat(INLINE + 1);
        let id = JobId::from(long.clone());
        assert!(matches!(id, JobId::Heap(_)));
        assert_eq!(&*id, long);
        assert_eq!(JobId::from("é€😀"), JobId::from(String::from("é€😀")));
        assert_eq!(std::mem::size_of::<JobId>(), 24);
    }

    #[test]
    fn generated_ids_are_fixed_width_hex() {
        assert_eq!(&*JobId::hex(0xab, 16), "00000000000000ab");
        assert_eq!(&*JobId::hex(u128::MAX, 32), "f".repeat(32));
        assert!(matches!(JobId::random64(), JobId::Inline { .. }));
        assert_eq!(JobId::random128().len(), 32);
    }
}
