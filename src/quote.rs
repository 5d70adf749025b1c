//! Quoting text this crate does not control (a callback's OAuth `error` and
//! `error_description`, the service's messages and field errors) into an error message.
//!
//! Every such quote goes through [`quote`] (or [`quote_redacted`], which first removes the API
//! key), so that messages are safe to log and to print on a terminal whatever was sent:
//!
//! - **Escaping.** `\` becomes `\\`; line feed, carriage return and tab become `\n`, `\r`,
//!   `\t`; every other character listed by [`needs_escape`] (C0 and C1 controls such as NUL,
//!   BEL and ESC, the line and paragraph separators U+2028 and U+2029, and the invisible
//!   characters that reorder or hide text: bidirectional controls, zero-width characters,
//!   the byte order mark) becomes `\u{…}` with its code point in lowercase hex, as Rust
//!   writes it (`\u{1b}`, `\u{0}`, `\u{2028}`). The quote is therefore one line, and the
//!   original text can be read back from it without ambiguity.
//! - **Capping.** A quote is at most [`MAX_QUOTED_CHARS`] characters, escapes included (an
//!   escape is never cut in half); `…` is appended when the text was longer. A message
//!   quoting two values therefore stays well under 1 KiB.
//!
//! The values themselves (`VerifyError::code`, the status, …) are not touched: only the
//! message quotes.

use std::fmt::Write as _;

/// The most characters a quote may take, escapes included (the `…` of a cut quote aside).
pub(crate) const MAX_QUOTED_CHARS: usize = 200;

/// What an API key is replaced with in a quote of the service's text.
#[cfg(feature = "client")]
pub(crate) const REDACTED: &str = "[redacted]";

/// `text`, escaped and capped as the module docs say.
pub(crate) fn quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len().min(MAX_QUOTED_CHARS) + 3);
    let mut room = MAX_QUOTED_CHARS;
    let mut piece = String::with_capacity(10);
    for c in text.chars() {
        piece.clear();
        push_escaped(c, &mut piece);
        let width = piece.chars().count();
        if width > room {
            quoted.push('…');
            break;
        }
        room -= width;
        quoted.push_str(&piece);
    }
    quoted
}

/// Appends `c` to `out`, escaped as the module docs say.
fn push_escaped(c: char, out: &mut String) {
    match c {
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if needs_escape(c) => {
            // Writing to a String cannot fail.
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
        c => out.push(c),
    }
}

/// `text` with every occurrence of `api_key` replaced by [`REDACTED`], then [`quote`]d: for
/// the service's text, which an echoing proxy or a WAF page may fill with the request's
/// `Authorization: Bearer <key>`. The key is removed before capping, so that no prefix of it
/// can survive a cut.
#[cfg(feature = "client")]
pub(crate) fn quote_redacted(text: &str, api_key: &str) -> String {
    if api_key.is_empty() || !text.contains(api_key) {
        return quote(text);
    }
    let redacted = zeroize::Zeroizing::new(text.replace(api_key, REDACTED));
    quote(&redacted)
}

/// Whether `c` is written as `\u{…}` in a quote: control characters (Unicode category Cc:
/// U+0000–U+001F, U+007F–U+009F), the line and paragraph separators, and the invisible
/// format characters that can make a log line read other than it is (Arabic letter mark,
/// zero-width space/joiners, left-to-right and right-to-left marks, embeddings and
/// overrides, word joiner and invisible operators, isolates, byte order mark).
pub(crate) fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}'
                | '\u{2029}'
                | '\u{061c}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{feff}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_quoted_as_it_is() {
        assert_eq!(quote("Unauthenticated."), "Unauthenticated.");
        assert_eq!(quote("jané \"x\" 'y' ✓"), "jané \"x\" 'y' ✓");
        assert_eq!(quote(""), "");
    }

    #[test]
    fn control_and_invisible_characters_are_escaped() {
        assert_eq!(quote("a\r\nSet-Cookie: x\tb"), "a\\r\\nSet-Cookie: x\\tb");
        assert_eq!(quote("\u{1b}[31mred\u{7}"), "\\u{1b}[31mred\\u{7}");
        assert_eq!(quote("nul\0"), "nul\\u{0}");
        assert_eq!(quote("\u{7f}\u{85}\u{9b}"), "\\u{7f}\\u{85}\\u{9b}");
        assert_eq!(quote("a\u{2028}b\u{2029}"), "a\\u{2028}b\\u{2029}");
        assert_eq!(quote("\u{202e}txt.exe"), "\\u{202e}txt.exe");
        assert_eq!(quote("\u{feff}\u{200b}"), "\\u{feff}\\u{200b}");
        // A backslash is escaped too, so that an escape in the text cannot pass for ours.
        assert_eq!(quote("C:\\x \\n"), "C:\\\\x \\\\n");
    }

    #[test]
    fn every_quote_is_one_clean_line() {
        let nasty: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        let quoted = quote(&nasty);
        assert!(!quoted.chars().any(needs_escape), "{quoted}");
        assert!(!quoted.chars().any(char::is_control));
    }

    #[test]
    fn quotes_are_capped_without_cutting_an_escape() {
        let long = "x".repeat(100_000);
        let quoted = quote(&long);
        assert_eq!(quoted.chars().count(), MAX_QUOTED_CHARS + 1);
        assert!(quoted.ends_with('…'));
        assert_eq!(
            quote(&"x".repeat(MAX_QUOTED_CHARS)),
            "x".repeat(MAX_QUOTED_CHARS)
        );

        let escapes = "\u{1b}".repeat(1000);
        let quoted = quote(&escapes);
        // 33 whole `\u{1b}` (6 characters each) fit in 200; the 34th is not cut in half.
        assert_eq!(quoted, format!("{}…", "\\u{1b}".repeat(33)));
        let wide = "€".repeat(1000);
        assert!(quote(&wide).len() <= MAX_QUOTED_CHARS * 4 + '…'.len_utf8());
    }

    #[cfg(feature = "client")]
    #[test]
    fn the_api_key_is_redacted_before_the_cap() {
        let key = "ps_live_0123456789abcdef";
        assert_eq!(
            quote_redacted(&format!("bad key {key}; Authorization: Bearer {key}"), key),
            "bad key [redacted]; Authorization: Bearer [redacted]"
        );
        // A key straddling the cap leaves no prefix behind.
        let padded = format!("{}{key}", "x".repeat(MAX_QUOTED_CHARS - 5));
        let quoted = quote_redacted(&padded, key);
        assert!(!quoted.contains("ps_li"), "{quoted}");
        assert_eq!(quote_redacted("nothing to hide", key), "nothing to hide");
        assert_eq!(quote_redacted("a\nb", ""), "a\\nb");
    }
}
