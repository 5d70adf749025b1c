//! What the fuzz targets share: the fixed configuration of the callback targets and the
//! checks that a message is safe to log.

/// The signing secrets of the callback targets: the conformance vectors' secret and its
/// rotation partner (`tests/vectors/verify.json`), so that the vectors' genuine proofs are
/// accepted and the fuzzer starts from authentic callbacks.
pub const SECRETS: [&str; 2] = ["ps_test_signing_secret_0001", "ps_test_signing_secret_0002"];
/// The expected state of the `verify` target (the vectors' usual one).
pub const STATE: &str = "a1b2c3d4";
/// The clock of the `verify` target (the vectors' usual `now`).
pub const NOW: i64 = 1_716_999_940;
/// The longest message any error may carry, in characters: a fixed sentence with at most two
/// capped quotes (a 422's field messages are capped by the message's own bound).
pub const MAX_MESSAGE_CHARS: usize = 4096;

/// Whether `c` would let a logged message lie about itself: a control character (a line
/// break, an ANSI escape, NUL), a line or paragraph separator, or an invisible character
/// that reorders or hides text. The library escapes all of them in every quote
/// (src/quote.rs); none may reach a message.
pub fn unsafe_in_log(c: char) -> bool {
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

/// Panics (a fuzzing finding) unless `message` is a non-empty, bounded line safe to log.
pub fn assert_loggable(what: &str, message: &str) {
    assert!(!message.is_empty(), "{what}: empty message");
    assert!(
        message.chars().count() <= MAX_MESSAGE_CHARS,
        "{what}: a message of {} characters",
        message.chars().count()
    );
    assert!(
        !message.chars().any(unsafe_in_log),
        "{what}: an unescaped control or invisible character in {message:?}"
    );
}
