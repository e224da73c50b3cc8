//! The JSON layer: one pair of functions every crate decodes and encodes through, backed by
//! simd-json when the `simd` feature is on (the default) and by serde_json otherwise.
//!
//! Both backends drive the same serde impls, so a type decodes the same way on either path;
//! CI runs the tests on both. The batch decoder for `getUpdates` lives in [`crate::batch`].
//!
//! # Examples
//!
//! ```
//! use telegram_types::{json, Response, User};
//!
//! let mut body = br#"{"ok":true,"result":{"id":1,"is_bot":true,"first_name":"Bot"}}"#.to_vec();
//! let response: Response<User> = json::from_slice(&mut body)?;
//! assert_eq!(response.result.unwrap().first_name, "Bot");
//! # Ok::<(), json::Error>(())
//! ```

use serde::de::DeserializeOwned;
use serde::Serialize;

/// A JSON syntax or shape error from either backend.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reported by simd-json.
    #[cfg(feature = "simd")]
    #[error("invalid json: {0}")]
    Simd(#[from] simd_json::Error),
    /// Reported by serde_json.
    #[error("invalid json: {0}")]
    Serde(#[from] serde_json::Error),
}

/// Which backend this build decodes with: `"simd-json"` or `"serde_json"`.
pub const BACKEND: &str = if cfg!(feature = "simd") {
    "simd-json"
} else {
    "serde_json"
};

/// Decodes `bytes`. The simd path rewrites the buffer in place (it unescapes strings there),
/// hence `&mut`; its contents are unspecified afterwards.
///
/// # Errors
///
/// Invalid JSON, or JSON whose shape does not fit `T`.
pub fn from_slice<T: DeserializeOwned>(bytes: &mut [u8]) -> Result<T, Error> {
    #[cfg(feature = "simd")]
    {
        simd::with_deserializer(bytes, |de| T::deserialize(de).map_err(Error::from))
    }
    #[cfg(not(feature = "simd"))]
    {
        serde_json::from_slice(bytes).map_err(Error::from)
    }
}

/// Encodes `value` as compact JSON.
///
/// # Errors
///
/// A value that cannot be JSON (a map with non-string keys; a file upload outside a multipart
/// request, see [`crate::input_file::to_value_with_uploads`]).
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    #[cfg(feature = "simd")]
    {
        simd_json::serde::to_vec(value).map_err(Error::from)
    }
    #[cfg(not(feature = "simd"))]
    {
        serde_json::to_vec(value).map_err(Error::from)
    }
}

/// Encodes `value` as compact JSON into `writer`.
///
/// # Errors
///
/// As [`to_vec`], plus the writer's I/O errors.
pub fn to_writer<W: std::io::Write, T: Serialize + ?Sized>(
    writer: W,
    value: &T,
) -> Result<(), Error> {
    #[cfg(feature = "simd")]
    {
        simd_json::serde::to_writer(writer, value).map_err(Error::from)
    }
    #[cfg(not(feature = "simd"))]
    {
        serde_json::to_writer(writer, value).map_err(Error::from)
    }
}

#[cfg(feature = "simd")]
pub(crate) mod simd {
    //! simd-json's scratch buffers and tape, kept per thread: decoding a batch then allocates
    //! only the values it produces, not the parser's working memory (a tape of several MB for a
    //! full getUpdates batch).

    use std::cell::RefCell;

    use simd_json::{Buffers, Deserializer, Tape};

    struct Scratch {
        buffers: Buffers,
        tape: Tape<'static>,
    }

    thread_local! {
        static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch { buffers: Buffers::default(), tape: Tape::null() });
    }

    /// Parses `bytes` onto this thread's tape and hands `f` a deserializer over it. Fresh
    /// scratch space is used when this thread's is in use further up the stack.
    pub(crate) fn with_deserializer<R>(
        bytes: &mut [u8],
        f: impl FnOnce(&mut Deserializer<'_>) -> Result<R, super::Error>,
    ) -> Result<R, super::Error> {
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => {
                let Scratch { buffers, tape } = &mut *scratch;
                let mut reused = std::mem::replace(tape, Tape::null()).reset();
                let result =
                    simd_json::fill_tape(bytes, buffers, &mut reused).map_err(super::Error::from);
                let mut de = Deserializer::from_tape(reused);
                let result = result.and_then(|()| f(&mut de));
                *tape = de.into_tape().reset();
                result
            }
            Err(_) => {
                let mut de = Deserializer::from_slice(bytes)?;
                f(&mut de)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Response, User};

    #[test]
    fn decodes_and_encodes() {
        let mut body =
            br#"{"ok":true,"result":{"id":7,"is_bot":false,"first_name":"Ann","future":1}}"#
                .to_vec();
        let response: Response<User> = from_slice(&mut body).unwrap();
        let user = response.result.unwrap();
        assert_eq!(user.id, 7);
        let encoded = String::from_utf8(to_vec(&user).unwrap()).unwrap();
        assert_eq!(encoded, r#"{"id":7,"is_bot":false,"first_name":"Ann"}"#);
    }

    #[test]
    fn invalid_json_is_an_error() {
        let mut body = b"{\"ok\":tru".to_vec();
        let err = from_slice::<Response<User>>(&mut body).unwrap_err();
        assert!(err.to_string().starts_with("invalid json"), "{err}");
    }
}
