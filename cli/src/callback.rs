//! How PostSyncer builds the URL it sends the browser back to.

/// Lifetime of a genuine proof, in seconds (protocol.md §1).
pub const PROOF_LIFETIME_SECS: i64 = 300;

/// `url` with `query` added to its query string (before any fragment), the way PostSyncer
/// builds a callback: `?` when the URL has no query yet, `&` when it has one.
pub fn append_query(url: &str, query: &str) -> String {
    let (base, fragment) = url
        .split_once('#')
        .map_or((url, None), |(b, f)| (b, Some(f)));
    let separator = match base.find('?') {
        None => "?",
        Some(i) if i + 1 == base.len() || base.ends_with('&') => "",
        Some(_) => "&",
    };
    let mut out = format!("{base}{separator}{query}");
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::append_query;

    #[test]
    fn appends_with_the_right_separator_and_keeps_the_fragment() {
        assert_eq!(
            append_query("https://a.example/cb", "x=1"),
            "https://a.example/cb?x=1"
        );
        assert_eq!(
            append_query("https://a.example/cb?y=2", "x=1"),
            "https://a.example/cb?y=2&x=1"
        );
        assert_eq!(
            append_query("https://a.example/cb?", "x=1"),
            "https://a.example/cb?x=1"
        );
        assert_eq!(
            append_query("https://a.example/cb#top", "x=1"),
            "https://a.example/cb?x=1#top"
        );
    }
}
