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

/// A JSON syntax or shape error from either backend. Display says "invalid json"; the
/// backend's own message is the [`source`](std::error::Error::source).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reported by simd-json.
    #[cfg(feature = "simd")]
    #[error("invalid json")]
    Simd(#[from] simd_json::Error),
    /// Reported by serde_json.
    #[error("invalid json")]
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

/// Bytes the simd backend needs after a document to parse it where it lies (0 for serde_json).
pub const PADDING: usize = {
    #[cfg(feature = "simd")]
    {
        simd_json::INPUT_PADDING
    }
    #[cfg(not(feature = "simd"))]
    {
        0
    }
};

/// Copies a response body into a vector with [`PADDING`] bytes of spare capacity, the buffer
/// [`from_vec`] parses without copying it again ([`crate::batch::decode_updates`] makes this
/// copy itself).
///
/// ```
/// use telegram_types::json;
///
/// let body = json::padded_copy(br#"{"ok":true,"result":true}"#);
/// assert!(body.capacity() >= body.len() + json::PADDING);
/// ```
pub fn padded_copy(bytes: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(bytes.len() + PADDING);
    body.extend_from_slice(bytes);
    body
}

/// Decodes `body` as [`from_slice`] does. On the simd path a body with [`PADDING`] spare
/// capacity (see [`padded_copy`]) is parsed where it lies, saving the copy into the parser's
/// own padded buffer; any other body is grown once. The contents are unspecified afterwards;
/// the length is kept.
///
/// # Errors
///
/// Invalid JSON, or JSON whose shape does not fit `T`.
// The serde_json path only reads the body; the simd path needs the vector's spare capacity.
#[cfg_attr(not(feature = "simd"), allow(clippy::ptr_arg))]
pub fn from_vec<T: DeserializeOwned>(body: &mut Vec<u8>) -> Result<T, Error> {
    #[cfg(feature = "simd")]
    {
        simd::with_padded_deserializer(body, |de| T::deserialize(de).map_err(Error::from))
    }
    #[cfg(not(feature = "simd"))]
    {
        serde_json::from_slice(body).map_err(Error::from)
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

    /// Where the document lies: in a plain slice simd-json copies into its padded buffer, or
    /// in the first `len` bytes of a slice that already carries the padding after them.
    enum Input<'a> {
        Copied(&'a mut [u8]),
        Padded(&'a mut [u8], usize),
    }

    /// Parses `bytes` onto this thread's tape and hands `f` a deserializer over it.
    pub(crate) fn with_deserializer<R>(
        bytes: &mut [u8],
        f: impl FnOnce(&mut Deserializer<'_>) -> Result<R, super::Error>,
    ) -> Result<R, super::Error> {
        parse(Input::Copied(bytes), |tape| deserialize(tape, f))?
    }

    pub(crate) fn with_padded_deserializer<R>(
        body: &mut Vec<u8>,
        f: impl FnOnce(&mut Deserializer<'_>) -> Result<R, super::Error>,
    ) -> Result<R, super::Error> {
        with_padded_tape(body, |tape| deserialize(tape, f))?
    }

    /// Parses `body` as [`with_padded_deserializer`] does and lends `f` the filled tape, which
    /// it may deserialize (through [`deserialize`]) and read again afterwards: the batch
    /// decoder resumes after an update that did not fit the types without parsing twice.
    /// `Err` when the parser refuses the text.
    pub(crate) fn with_padded_tape<R>(
        body: &mut Vec<u8>,
        f: impl FnOnce(&mut Tape<'_>) -> R,
    ) -> Result<R, super::Error> {
        let len = body.len();
        body.resize(len + super::PADDING, b' ');
        let result = parse(Input::Padded(body, len), f);
        body.truncate(len);
        result
    }

    /// Runs `f` on a deserializer over `tape`, and leaves the tape where it was (to be reused
    /// or read again).
    pub(crate) fn deserialize<'de, R>(
        tape: &mut Tape<'de>,
        f: impl FnOnce(&mut Deserializer<'de>) -> R,
    ) -> R {
        let mut de = Deserializer::from_tape(Tape(std::mem::take(&mut tape.0)));
        let result = f(&mut de);
        *tape = de.into_tape();
        result
    }

    fn parse<R>(input: Input<'_>, f: impl FnOnce(&mut Tape<'_>) -> R) -> Result<R, super::Error> {
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => {
                let Scratch { buffers, tape } = &mut *scratch;
                let mut reused = std::mem::replace(tape, Tape::null()).reset();
                let result = fill(input, buffers, &mut reused).map(|()| f(&mut reused));
                *tape = reused.reset();
                result
            }
            Err(_) => {
                let mut tape = Tape::null();
                fill(input, &mut Buffers::default(), &mut tape)?;
                Ok(f(&mut tape))
            }
        })
    }

    fn fill<'de>(
        input: Input<'de>,
        buffers: &mut Buffers,
        tape: &mut Tape<'de>,
    ) -> Result<(), super::Error> {
        match input {
            Input::Copied(bytes) => simd_json::fill_tape(bytes, buffers, tape)?,
            Input::Padded(bytes, len) => simd_json::fill_tape_padded(bytes, len, buffers, tape)?,
        }
        Ok(())
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
        // The key this version does not know comes back too.
        assert_eq!(
            encoded,
            r#"{"id":7,"is_bot":false,"first_name":"Ann","future":1}"#
        );
    }

    #[test]
    fn from_vec_parses_a_padded_copy_and_keeps_its_length() {
        let text = br#"{"ok":true,"result":{"id":7,"is_bot":false,"first_name":"A\u00e9"}}"#;
        let mut body = padded_copy(text);
        let (capacity, len) = (body.capacity(), body.len());
        let response: Response<User> = from_vec(&mut body).unwrap();
        assert_eq!(response.result.unwrap().first_name, "Aé");
        assert_eq!((body.capacity(), body.len()), (capacity, len));
    }

    #[test]
    fn from_vec_grows_a_body_without_room_for_the_padding() {
        let mut body = b"[1,2,3]".to_vec();
        body.shrink_to_fit();
        assert_eq!(from_vec::<Vec<i64>>(&mut body).unwrap(), [1, 2, 3]);
        assert_eq!(body.len(), 7);
    }

    #[test]
    fn from_vec_reads_a_document_that_ends_in_a_bare_number() {
        // simd-json needs the byte after a root-level atom; the padding supplies it.
        assert_eq!(from_vec::<i64>(&mut padded_copy(b"42")).unwrap(), 42);
        assert!(from_vec::<bool>(&mut padded_copy(b"true")).unwrap());
    }

    #[test]
    fn from_vec_reports_invalid_json() {
        let err = from_vec::<Response<User>>(&mut padded_copy(b"{\"ok\":tru")).unwrap_err();
        assert!(err.to_string().starts_with("invalid json"), "{err}");
    }

    #[test]
    fn invalid_json_is_an_error() {
        let mut body = b"{\"ok\":tru".to_vec();
        let err = from_slice::<Response<User>>(&mut body).unwrap_err();
        assert!(err.to_string().starts_with("invalid json"), "{err}");
    }

    #[test]
    fn the_backend_message_is_the_source_and_is_not_repeated() {
        let mut body = b"{\"ok\":tru".to_vec();
        let err = from_slice::<Response<User>>(&mut body).unwrap_err();
        let source = std::error::Error::source(&err).expect("the backend's error");
        assert!(!err.to_string().contains(&source.to_string()), "{err}");
    }
}
