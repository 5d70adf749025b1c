//! `application/x-www-form-urlencoded` decoding and encoding of one component.
//!
//! Written here rather than taken from a general URL parser because the contract needs
//! to know *why* a value failed (bad escape, invalid UTF-8) and must not allocate for the
//! common case of a value with nothing to decode.

use std::borrow::Cow;

/// Why a component could not be decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DecodeError {
    /// A `%` not followed by two hex digits.
    BadEscape,
    /// The decoded bytes are not UTF-8.
    InvalidUtf8,
}

/// Decodes one component: `+` is a space, `%XX` is a byte, the result must be UTF-8.
pub(crate) fn decode(raw: &str) -> Result<Cow<'_, str>, DecodeError> {
    let bytes = raw.as_bytes();
    if !bytes.iter().any(|&b| b == b'%' || b == b'+') {
        return Ok(Cow::Borrowed(raw));
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                let hi = bytes.get(i + 1).copied().and_then(hex_value);
                let lo = bytes.get(i + 2).copied().and_then(hex_value);
                match (hi, lo) {
                    (Some(hi), Some(lo)) => out.push(hi << 4 | lo),
                    _ => return Err(DecodeError::BadEscape),
                }
                i += 3;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out)
        .map(Cow::Owned)
        .map_err(|_| DecodeError::InvalidUtf8)
}

/// The value of one hex digit, either case.
pub(crate) fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Appends `value` form-encoded: unreserved bytes as they are, space as `+`, the rest `%XX`.
pub(crate) fn encode_into(value: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in value.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0x0f)]));
            }
        }
    }
}

/// The query part of a callback URL, or the input itself when it is already a query:
/// the text after the first `?` (if any), up to the first `#`.
pub(crate) fn query_of(input: &str) -> &str {
    let after_question = input.split_once('?').map_or(input, |(_, q)| q);
    after_question
        .split_once('#')
        .map_or(after_question, |(q, _)| q)
}

/// The `key=value` pairs of a query, raw (still encoded), empty pieces skipped.
pub(crate) fn raw_pairs(query: &str) -> impl Iterator<Item = (&str, &str)> {
    query
        .split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| piece.split_once('=').unwrap_or((piece, "")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_plus_and_escapes() {
        assert_eq!(decode("jane+doe").unwrap(), "jane doe");
        assert_eq!(decode("a%26b%3d").unwrap(), "a&b=");
        assert_eq!(decode("jan%C3%A9").unwrap(), "jané");
        assert!(matches!(decode("plain").unwrap(), Cow::Borrowed(_)));
    }

    #[test]
    fn rejects_bad_escapes_and_utf8() {
        assert_eq!(decode("ja%zzne"), Err(DecodeError::BadEscape));
        assert_eq!(decode("trailing%"), Err(DecodeError::BadEscape));
        assert_eq!(decode("trailing%4"), Err(DecodeError::BadEscape));
        assert_eq!(decode("ja%ffne"), Err(DecodeError::InvalidUtf8));
    }

    #[test]
    fn encode_then_decode_is_identity() {
        for s in ["", "a b", "a&b=c+d%e", "jané_ü€", "~._-"] {
            let mut enc = String::new();
            encode_into(s, &mut enc);
            assert_eq!(decode(&enc).unwrap(), s);
        }
    }

    #[test]
    fn query_of_takes_text_after_first_question_mark_and_before_fragment() {
        assert_eq!(query_of("https://a.example/cb?x=1&y=2#frag"), "x=1&y=2");
        assert_eq!(query_of("?x=1"), "x=1");
        assert_eq!(query_of("x=1"), "x=1");
        assert_eq!(query_of("https://a.example/cb?x=1?y=2"), "x=1?y=2");
    }

    #[test]
    fn raw_pairs_skips_empty_pieces_and_splits_at_first_equals() {
        let pairs: Vec<_> = raw_pairs("&&a=1&&b=x=y&c").collect();
        assert_eq!(pairs, vec![("a", "1"), ("b", "x=y"), ("c", "")]);
    }
}
