//! A byte scanner for the structure of a JSON text, used when the parsers refuse a body.
//!
//! It finds where each value begins and ends, and nothing more: it does not read numbers or
//! unescape strings, and counts nesting without a limit. So it accepts what the parsers refuse
//! inside a value (nesting past their depth limit, a lone surrogate `"\ud83d"`, `1e400`,
//! integers beyond 64 bits) and still finds the top-level elements of `getUpdates`' `result`
//! and each one's `update_id`. It does reject a text whose brackets, quotes, commas or colons
//! are out of place, or that is cut short: there the update boundaries are unknown.

use std::ops::Range;

/// The byte ranges of the elements of the top-level `result` array of a response envelope,
/// in order. `None` when `body` is not one object holding such an array.
pub(crate) fn result_elements(body: &[u8]) -> Option<Vec<Range<usize>>> {
    let open = skip_ws(body, 0);
    let (members, end) = members(body, open)?;
    if skip_ws(body, end) != body.len() {
        return None;
    }
    let (_, value) = members
        .into_iter()
        .find(|(key, _)| &body[key.clone()] == b"\"result\"")?;
    let (elements, _) = elements(body, value.start)?;
    Some(elements)
}

/// The `update_id` of one update given as JSON text: an integer, or a string or a float that
/// holds one (`"7"`, `7.0`), read without parsing the rest of the object.
pub(crate) fn update_id_in(update: &[u8]) -> Option<i64> {
    let (members, _) = members(update, skip_ws(update, 0))?;
    let (_, value) = members
        .into_iter()
        .find(|(key, _)| &update[key.clone()] == b"\"update_id\"")?;
    let text = std::str::from_utf8(&update[value]).ok()?;
    match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) if !inner.contains('\\') => inner.trim().parse().ok(),
        Some(_) => None,
        None => text.parse().ok().or_else(|| integral(text.parse().ok()?)),
    }
}

/// A float that holds an integer an `i64` can carry.
pub(crate) fn integral(float: f64) -> Option<i64> {
    // 2^63 is exactly representable; every integral float below it fits an i64.
    let fits = float.fract() == 0.0 && float >= -(2f64.powi(63)) && float < 2f64.powi(63);
    fits.then_some(float as i64)
}

fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while matches!(bytes.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// The key and value ranges of the object whose `{` is at `open`, and the index past its `}`.
#[allow(clippy::type_complexity)]
fn members(bytes: &[u8], open: usize) -> Option<(Vec<(Range<usize>, Range<usize>)>, usize)> {
    if bytes.get(open) != Some(&b'{') {
        return None;
    }
    let mut out = Vec::new();
    let mut i = skip_ws(bytes, open + 1);
    if bytes.get(i) == Some(&b'}') {
        return Some((out, i + 1));
    }
    loop {
        if bytes.get(i) != Some(&b'"') {
            return None;
        }
        let key = i..string_end(bytes, i)?;
        i = skip_ws(bytes, key.end);
        if bytes.get(i) != Some(&b':') {
            return None;
        }
        let start = skip_ws(bytes, i + 1);
        let value = start..value_end(bytes, start)?;
        i = skip_ws(bytes, value.end);
        out.push((key, value));
        match bytes.get(i)? {
            b',' => i = skip_ws(bytes, i + 1),
            b'}' => return Some((out, i + 1)),
            _ => return None,
        }
    }
}

/// The element ranges of the array whose `[` is at `open`, and the index past its `]`.
fn elements(bytes: &[u8], open: usize) -> Option<(Vec<Range<usize>>, usize)> {
    if bytes.get(open) != Some(&b'[') {
        return None;
    }
    let mut out = Vec::new();
    let mut i = skip_ws(bytes, open + 1);
    if bytes.get(i) == Some(&b']') {
        return Some((out, i + 1));
    }
    loop {
        let element = i..value_end(bytes, i)?;
        i = skip_ws(bytes, element.end);
        out.push(element);
        match bytes.get(i)? {
            b',' => i = skip_ws(bytes, i + 1),
            b']' => return Some((out, i + 1)),
            _ => return None,
        }
    }
}

/// The index past the value that starts at `start`.
fn value_end(bytes: &[u8], start: usize) -> Option<usize> {
    match bytes.get(start)? {
        b'"' => string_end(bytes, start),
        b'{' | b'[' => container_end(bytes, start),
        _ => {
            let end = start
                + bytes[start..]
                    .iter()
                    .position(|b| !is_atom_byte(*b))
                    .unwrap_or(bytes.len() - start);
            (end > start).then_some(end)
        }
    }
}

/// Bytes of a number, `true`, `false` or `null` (read loosely: the parsers judge them).
fn is_atom_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'+' | b'.')
}

/// The index past the string whose opening quote is at `start`; escapes are skipped whole.
/// Most of an update's bytes are inside strings, so this jumps with `memchr` (vectorised).
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    loop {
        i += memchr::memchr2(b'"', b'\\', bytes.get(i..)?)?;
        match bytes[i] {
            b'"' => return Some(i + 1),
            _ => i += 2,
        }
    }
}

/// The index past the object or array that opens at `start`, however deep it nests. One pass
/// over the bytes, strings included (keys and short values make a `memchr` per string slower).
fn container_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, &byte) in bytes.iter().enumerate().skip(start) {
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(body: &str) -> Option<Vec<&str>> {
        let ranges = result_elements(body.as_bytes())?;
        Some(ranges.into_iter().map(|r| &body[r]).collect())
    }

    #[test]
    fn finds_each_element_of_result() {
        let body =
            r#" {"ok":true, "result" : [ {"update_id":1,"a":"x,]}\"y"} ,{"update_id":2}, 3 ] } "#;
        assert_eq!(
            texts(body).unwrap(),
            [
                r#"{"update_id":1,"a":"x,]}\"y"}"#,
                r#"{"update_id":2}"#,
                "3"
            ]
        );
        assert_eq!(
            texts(r#"{"ok":true,"result":[]}"#).unwrap(),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn tolerates_what_the_parsers_refuse() {
        let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
        let body = format!(
            r#"{{"ok":true,"result":[{{"update_id":1,"d":{deep}}},{{"update_id":2,"s":"\ud83d","f":1e400,"i":123456789012345678901234567890}}]}}"#
        );
        let elements = texts(&body).unwrap();
        assert_eq!(elements.len(), 2);
        assert_eq!(update_id_in(elements[0].as_bytes()), Some(1));
        assert_eq!(update_id_in(elements[1].as_bytes()), Some(2));
    }

    #[test]
    fn refuses_a_body_whose_boundaries_are_unknown() {
        assert!(texts(r#"{"ok":true,"result":[{"update_id":1},"#).is_none());
        assert!(texts(r#"{"ok":true,"result":[{"update_id":1}]"#).is_none());
        assert!(texts(r#"{"ok":true,"result":[{"update_id":1}]} trailing"#).is_none());
        assert!(texts(r#"{"ok":true,"result":{"update_id":1}}"#).is_none());
        assert!(texts(r#"{"ok":true}"#).is_none());
        assert!(texts("not json").is_none());
    }

    #[test]
    fn reads_an_update_id_however_it_is_written() {
        let id = |text: &str| update_id_in(text.as_bytes());
        assert_eq!(id(r#"{"message":{"update_id":9},"update_id":7}"#), Some(7));
        assert_eq!(id(r#"{"update_id":" 7 "}"#), Some(7));
        assert_eq!(id(r#"{"update_id":7.0}"#), Some(7));
        assert_eq!(id(r#"{"update_id":7.5}"#), None);
        assert_eq!(id(r#"{"update_id":1e400}"#), None);
        assert_eq!(id(r#"{"update_id":"oops"}"#), None);
        assert_eq!(id(r#"{"message":{}}"#), None);
        assert_eq!(id(r#"{"update_id":7"#), None);
    }
}
