//! The emulator's HTML: one self-contained page layout (inline CSS, no external assets) and
//! escaping for everything a page shows.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Text made safe to place in HTML content and in double-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = "\
body{font:16px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;background:#f4f5f7;color:#1d2330;margin:0}\
main{max-width:34rem;margin:3rem auto;background:#fff;border-radius:12px;padding:2rem;box-shadow:0 2px 12px rgba(0,0,0,.08)}\
h1{font-size:1.4rem;margin:0 0 1rem}\
.badge{display:inline-block;font-size:.75rem;letter-spacing:.05em;text-transform:uppercase;background:#eef0f4;color:#5a6275;border-radius:4px;padding:.1rem .5rem;margin-bottom:1rem}\
.host{font-family:ui-monospace,monospace;background:#eef0f4;padding:0 .3rem;border-radius:4px}\
label.identity{display:block;border:1px solid #d5d9e2;border-radius:8px;padding:.6rem .8rem;margin:.5rem 0;cursor:pointer}\
.actions{display:flex;gap:.75rem;margin-top:1.5rem}\
button{font:inherit;border:0;border-radius:8px;padding:.6rem 1.4rem;cursor:pointer}\
button.approve{background:#2557d6;color:#fff}button.deny{background:#eef0f4;color:#1d2330}\
table{border-collapse:collapse;width:100%}td{padding:.4rem .5rem;border-top:1px solid #eef0f4;vertical-align:top}\
.passed{color:#137333;font-weight:600}.failed{color:#b3261e;font-weight:600}.not-reached{color:#80868b}\
.muted{color:#5a6275;font-size:.9rem}";

/// A complete page with `status`; `title` is escaped here, `body` must already be escaped.
pub fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title} · PostSyncer emulator</title><style>{STYLE}</style></head>\
         <body><main><div class=\"badge\">PostSyncer emulator · test double</div>{body}</main></body></html>\n",
        title = escape(title),
    );
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    // The pages carry single-use tokens and results: never cache them, never frame them.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// A page with a heading and one paragraph of plain text.
pub fn message_page(status: StatusCode, title: &str, text: &str) -> Response {
    page(
        status,
        title,
        &format!("<h1>{}</h1><p>{}</p>", escape(title), escape(text)),
    )
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<script>\"a\" & 'b'</script>"),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;"
        );
    }
}
