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

/// 64 hex digits, either case, as 32 bytes. Decoding the signature is on every
/// verification's path, so eight digits are read as one word: a word passes when each byte
/// is an ASCII digit, or a letter a–f once bit 5 is set in every byte (which lowercases
/// letters and leaves digits as they are). The per-byte sums below cannot carry into the
/// next byte while every byte is ASCII, and a word with a non-ASCII byte is refused anyway.
pub(crate) fn decode_hex_32(text: &[u8]) -> Option<[u8; 32]> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = ONES * 0x80;
    const LANE_LOW_BYTES: u64 = 0x00ff_00ff_00ff_00ff;
    // Bit 7 of a byte is set once the byte is at least `bound`.
    let at_least = |word: u64, bound: u8| word.wrapping_add(ONES * u64::from(0x80 - bound)) & HIGHS;
    if text.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    let mut refused = 0u64;
    for (four, eight) in out.chunks_exact_mut(4).zip(text.chunks_exact(8)) {
        let mut le = [0u8; 8];
        le.copy_from_slice(eight);
        let word = u64::from_le_bytes(le);
        let lower = word | (ONES * 0x20);
        let digit = at_least(word, b'0') & !at_least(word, b'9' + 1);
        let letter = at_least(lower, b'a') & !at_least(lower, b'f' + 1);
        refused |= (word & HIGHS) | ((digit | letter) ^ HIGHS);
        // A digit's value is its low four bits; a letter's, those plus nine.
        let nibbles = (lower & (ONES * 0x0f)).wrapping_add((letter >> 7) * 9);
        // Little-endian: the first digit of each pair (the high nibble) is the low byte of
        // its 16-bit lane. Join each pair into its lane, then the four lanes into 32 bits.
        let lanes = ((nibbles & LANE_LOW_BYTES) << 4) | ((nibbles >> 8) & LANE_LOW_BYTES);
        let halves = (lanes | (lanes >> 8)) & 0x0000_ffff_0000_ffff;
        let bytes = (halves | (halves >> 16)) as u32;
        four.copy_from_slice(&bytes.to_le_bytes());
    }
    (refused == 0).then_some(out)
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

/// How the pair scanner treats a byte: nothing special, ends the part being scanned, or
/// makes that part need decoding.
const PLAIN: u8 = 0;
const STOP: u8 = 1;
const NEEDS_DECODING: u8 = 2;

/// A key ends at `=` or `&`.
const KEY_BYTES: [u8; 256] = byte_classes(true);
/// A value ends at `&` (an `=` inside a value is its own text).
const VALUE_BYTES: [u8; 256] = byte_classes(false);

const fn byte_classes(equals_stops: bool) -> [u8; 256] {
    let mut table = [PLAIN; 256];
    table[b'&' as usize] = STOP;
    if equals_stops {
        table[b'=' as usize] = STOP;
    }
    table[b'%' as usize] = NEEDS_DECODING;
    table[b'+' as usize] = NEEDS_DECODING;
    table
}

/// From `from`, the index of the first byte that stops the part (or the end), and whether
/// the part before it is plain (no `%` or `+`). Values (`sig` is 64 bytes, a generated
/// `state` 43) are first skipped eight bytes at a time while no byte is `&`, `%` or `+`.
fn scan_part(bytes: &[u8], from: usize, classes: &[u8; 256], words_first: bool) -> (usize, bool) {
    let mut i = from;
    if words_first {
        while let Some(word) = bytes.get(i..i + 8) {
            let mut le = [0u8; 8];
            le.copy_from_slice(word);
            let word = u64::from_le_bytes(le);
            if has_byte(word, b'&') | has_byte(word, b'%') | has_byte(word, b'+') {
                break;
            }
            i += 8;
        }
    }
    let mut plain = true;
    while let Some(&b) = bytes.get(i) {
        match classes[usize::from(b)] {
            PLAIN => {}
            STOP => break,
            _ => plain = false,
        }
        i += 1;
    }
    (i, plain)
}

/// Whether any byte of `word` is `byte` (the classic zero-byte test on `word ^ byte…`; its
/// false positives only follow a true hit, and a hit only sends the scan byte by byte).
fn has_byte(word: u64, byte: u8) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let x = word ^ (ONES * u64::from(byte));
    x.wrapping_sub(ONES) & !x & HIGHS != 0
}

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

    /// The key as it appears in the query.
    pub(crate) fn raw_key(&self) -> &'a str {
        self.key
    }

    /// Neither key nor value needs decoding: the raw text is the decoded text.
    pub(crate) fn is_plain(&self) -> bool {
        self.key_is_plain && self.value_is_plain
    }
}

/// The pair `key=value` at the start of `rest` when it starts with `key` and `=` and its
/// value has no `%` or `+`, and `rest` moved past the pair and its `&`: the pair
/// [`raw_pairs`] would yield there, found without classifying every byte, so that a query
/// of known keys in a known order is read with one search per pair. `key` must be plain
/// text without `&`, `=`, `%` or `+`.
#[inline(always)]
pub(crate) fn take_plain_pair<'a>(rest: &mut &'a str, key: &str) -> Option<RawPair<'a>> {
    let text = *rest;
    let after_key = text.strip_prefix(key)?.strip_prefix('=')?;
    let (value, after) = match memchr::memchr3(b'&', b'%', b'+', after_key.as_bytes()) {
        Some(i) if after_key.as_bytes()[i] == b'&' => {
            (after_key.get(..i)?, after_key.get(i + 1..)?)
        }
        Some(_) => return None,
        None => (after_key, ""),
    };
    *rest = after;
    Some(RawPair {
        key: text.get(..key.len())?,
        value,
        key_is_plain: true,
        value_is_plain: true,
    })
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

    // Inlined into the verifier's scan: returned through memory, each pair was written in
    // pieces and read back whole, a store-forwarding stall per pair (bench/ANALYSIS.md).
    #[inline(always)]
    fn next(&mut self) -> Option<RawPair<'a>> {
        let bytes = self.query.as_bytes();
        while self.pos < bytes.len() {
            let start = self.pos;
            let (key_end, key_is_plain) = scan_part(bytes, start, &KEY_BYTES, false);
            let (value_start, end, value_is_plain) = if bytes.get(key_end) == Some(&b'=') {
                let (end, plain) = scan_part(bytes, key_end + 1, &VALUE_BYTES, true);
                (key_end + 1, end, plain)
            } else {
                // No `=`: the whole piece is a key, and the empty value is cut from the
                // query too, so that every slice of a pair lies inside it (the verifier
                // relies on that to find a verbatim base).
                (key_end, key_end, true)
            };
            self.pos = end + 1;
            if end == start {
                continue;
            }
            // Every cut is at an ASCII byte (`&`, `=`) or an end, so all are char boundaries.
            return Some(RawPair {
                key: self.query.get(start..key_end).unwrap_or_default(),
                value: self.query.get(value_start..end).unwrap_or_default(),
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

    /// The scanner against the rule written the slow way, with each special byte at every
    /// position of values long enough for the eight-byte skip.
    #[test]
    fn raw_pairs_agrees_with_a_plain_split_wherever_the_special_bytes_fall() {
        let reference = |query: &str| -> Vec<(String, String, bool, bool)> {
            let plain = |t: &str| !t.contains(['%', '+']);
            query
                .split('&')
                .filter(|piece| !piece.is_empty())
                .map(|piece| {
                    let (key, value) = piece.split_once('=').unwrap_or((piece, ""));
                    (key.to_owned(), value.to_owned(), plain(key), plain(value))
                })
                .collect()
        };
        let scanned = |query: &str| -> Vec<(String, String, bool, bool)> {
            raw_pairs(query)
                .map(|p| {
                    let (key, value) = (p.raw_key(), p.raw_value());
                    (
                        key.to_owned(),
                        value.to_owned(),
                        p.key_is_plain,
                        p.value_is_plain,
                    )
                })
                .collect()
        };
        for len in 0..26 {
            for at in 0..len {
                for special in ['&', '=', '%', '+'] {
                    let mut value: Vec<char> = "0123456789abcdefghijklmnopqrstuvwxyz"
                        .chars()
                        .take(len)
                        .collect();
                    value[at] = special;
                    let value: String = value.into_iter().collect();
                    for query in [format!("sig={value}"), format!("k=1&sig={value}&x=2")] {
                        assert_eq!(scanned(&query), reference(&query), "{query}");
                    }
                }
            }
        }
    }

    /// The word-wise decoder against one digit at a time, with every byte value at every
    /// position of a signature in either case.
    #[test]
    fn decode_hex_32_agrees_with_digit_by_digit_decoding() {
        let reference = |text: &[u8]| -> Option<[u8; 32]> {
            if text.len() != 64 {
                return None;
            }
            let mut out = [0u8; 32];
            for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
                *byte = hex_value(pair[0])? << 4 | hex_value(pair[1])?;
            }
            Some(out)
        };
        let lower = b"c6d39ec8b0fd92943a59ec2d9fa0d081eda01c7d8830daf9dd4b771278ee9a14";
        let upper = lower.to_ascii_uppercase();
        for signature in [&lower[..], &upper[..], &[b'0'; 64][..], &[b'F'; 64][..]] {
            assert!(decode_hex_32(signature).is_some());
            for at in 0..64 {
                for byte in 0..=255u8 {
                    let mut text = signature.to_vec();
                    text[at] = byte;
                    assert_eq!(decode_hex_32(&text), reference(&text), "{byte:#x} at {at}");
                }
            }
        }
        assert_eq!(decode_hex_32(&lower[..63]), None);
        assert_eq!(decode_hex_32(&[lower.as_slice(), b"0"].concat()), None);
    }

    #[test]
    fn take_plain_pair_reads_the_expected_key_and_stops_at_anything_to_decode() {
        let mut rest = "a=1&bb=x=y&c=";
        let pair = take_plain_pair(&mut rest, "a").unwrap();
        assert_eq!(
            (pair.raw_key(), pair.raw_value(), pair.is_plain()),
            ("a", "1", true)
        );
        assert_eq!(rest, "bb=x=y&c=");
        assert_eq!(take_plain_pair(&mut rest, "b"), None);
        let pair = take_plain_pair(&mut rest, "bb").unwrap();
        assert_eq!((pair.raw_key(), pair.raw_value()), ("bb", "x=y"));
        let pair = take_plain_pair(&mut rest, "c").unwrap();
        assert_eq!((pair.raw_key(), pair.raw_value(), rest), ("c", "", ""));
        for text in ["a", "a&b=1", "a=1%26&b=2", "a=+&b=2", "a%3D=1", "&a=1"] {
            let mut rest = text;
            assert_eq!(take_plain_pair(&mut rest, "a"), None, "{text}");
        }
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
