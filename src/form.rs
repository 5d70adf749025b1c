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
    if memchr::memchr2(b'%', b'+', bytes).is_none() {
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

/// Marks a byte that is not a hex digit in [`HEX_VALUES`].
const NOT_HEX: u8 = 0xff;

/// The value of every byte as a hex digit (either case), or [`NOT_HEX`]: a table, because
/// decoding the 64-digit signature is on every verification's path.
const HEX_VALUES: [u8; 256] = {
    let mut table = [NOT_HEX; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        table[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};

/// The value of one hex digit, either case.
pub(crate) fn hex_value(b: u8) -> Option<u8> {
    match HEX_VALUES[usize::from(b)] {
        NOT_HEX => None,
        v => Some(v),
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
    let bytes = input.as_bytes();
    let start = memchr::memchr(b'?', bytes).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'#', &bytes[start..]).map_or(bytes.len(), |i| start + i);
    // Both cuts are at ASCII bytes, so they are character boundaries.
    input.get(start..end).unwrap_or_default()
}

/// How the pair scanner treats a byte.
const PLAIN: u8 = 0;
const PAIR_END: u8 = 1;
const KEY_END: u8 = 2;
const NEEDS_DECODING: u8 = 3;

/// Each byte's role in a query, so that one pass over it finds the pairs and notes which
/// parts need decoding at all (most do not).
const BYTE_CLASS: [u8; 256] = {
    let mut table = [PLAIN; 256];
    table[b'&' as usize] = PAIR_END;
    table[b'=' as usize] = KEY_END;
    table[b'%' as usize] = NEEDS_DECODING;
    table[b'+' as usize] = NEEDS_DECODING;
    table
};

/// One `key=value` piece of a query, still encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RawPair<'a> {
    key: &'a str,
    value: &'a str,
    key_is_plain: bool,
    value_is_plain: bool,
}

impl<'a> RawPair<'a> {
    /// The decoded key.
    pub(crate) fn key(&self) -> Result<Cow<'a, str>, DecodeError> {
        if self.key_is_plain {
            Ok(Cow::Borrowed(self.key))
        } else {
            decode(self.key)
        }
    }

    /// The decoded value.
    pub(crate) fn value(&self) -> Result<Cow<'a, str>, DecodeError> {
        if self.value_is_plain {
            Ok(Cow::Borrowed(self.value))
        } else {
            decode(self.value)
        }
    }

    /// The value, still encoded.
    pub(crate) fn raw_value(&self) -> &'a str {
        self.value
    }
}

/// The pairs of a query in one pass: pieces split on `&`, empty pieces skipped, each split
/// at its first `=` (a piece without one is a key with an empty value).
pub(crate) fn raw_pairs(query: &str) -> RawPairs<'_> {
    RawPairs { query, pos: 0 }
}

/// The iterator of [`raw_pairs`].
#[derive(Debug)]
pub(crate) struct RawPairs<'a> {
    query: &'a str,
    pos: usize,
}

impl<'a> Iterator for RawPairs<'a> {
    type Item = RawPair<'a>;

    fn next(&mut self) -> Option<RawPair<'a>> {
        let bytes = self.query.as_bytes();
        while self.pos < bytes.len() {
            let start = self.pos;
            let mut key_end = None;
            let mut key_is_plain = true;
            let mut value_is_plain = true;
            let mut i = start;
            while i < bytes.len() {
                match BYTE_CLASS[usize::from(bytes[i])] {
                    PLAIN => {}
                    PAIR_END => break,
                    KEY_END => {
                        key_end.get_or_insert(i);
                    }
                    _ if key_end.is_none() => key_is_plain = false,
                    _ => value_is_plain = false,
                }
                i += 1;
            }
            self.pos = i + 1;
            if i == start {
                continue;
            }
            // Every cut is at an ASCII byte (`&`, `=`) or an end, so all are char boundaries.
            let (key, value) = match key_end {
                Some(k) => (self.query.get(start..k), self.query.get(k + 1..i)),
                None => (self.query.get(start..i), Some("")),
            };
            return Some(RawPair {
                key: key.unwrap_or_default(),
                value: value.unwrap_or_default(),
                key_is_plain,
                value_is_plain,
            });
        }
        None
    }
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
        let pairs: Vec<_> = raw_pairs("&&a=1&&b=x=y&c&d%26=e+f")
            .map(|p| (p.key().unwrap().into_owned(), p.raw_value()))
            .collect();
        let expected = [("a", "1"), ("b", "x=y"), ("c", ""), ("d&", "e+f")];
        assert_eq!(pairs, expected.map(|(k, v)| (k.to_owned(), v)));
    }
}
