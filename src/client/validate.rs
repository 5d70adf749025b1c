//! Local checks of the client's configuration and of each request, before anything is sent.

use std::net::IpAddr;

use reqwest::header::HeaderValue;
use url::{Host, Url};
use zeroize::Zeroizing;

use crate::error::{ApiError, ApiErrorKind, ConfigError};
use crate::secret::Secret;

/// The path of the sessions endpoint under the API base URL.
const SESSIONS_PATH: &str = "oauth/delegate/sessions";

/// The longest state accepted: generous for any random token, short enough for a URL.
pub(crate) const MAX_STATE_BYTES: usize = 255;

/// The longest callback URL accepted (browsers and servers commonly cap URLs near 2 KiB,
/// and the proof's parameters are appended to it).
pub(crate) const MAX_CALLBACK_URL_BYTES: usize = 2048;

/// The sessions endpoint under `base_url`.
///
/// HTTPS is required, except for a loopback host (the local emulator): plain HTTP anywhere
/// else would put the API key on the network in clear text.
pub(crate) fn sessions_endpoint(base_url: &str) -> Result<Url, ConfigError> {
    let refuse = |reason: &str| ConfigError::InvalidArgument {
        name: "base_url",
        reason: reason.to_owned(),
    };
    let mut url = Url::parse(base_url).map_err(|e| {
        refuse(&format!(
            "not an absolute URL ({e}); expected e.g. https://postsyncer.com/api"
        ))
    })?;
    let host = url
        .host()
        .ok_or_else(|| refuse("has no host; expected e.g. https://postsyncer.com/api"))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&host) => {}
        "http" => {
            return Err(refuse(
                "plain http is only allowed for a loopback host (the local emulator): use https so the API key is never sent in clear text",
            ))
        }
        _ => return Err(refuse("must start with https:// (or http:// for a loopback host)")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse(
            "must not carry credentials; the API key is sent in the Authorization header",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(refuse("must not have a query or a fragment"));
    }
    let path = format!("{}/{SESSIONS_PATH}", url.path().trim_end_matches('/'));
    url.set_path(&path);
    Ok(url)
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

/// Refuses an API key that is empty or could not be sent as a bearer token.
pub(crate) fn check_api_key(api_key: &Secret) -> Result<(), ConfigError> {
    if api_key.is_empty() {
        return Err(ConfigError::EmptyApiKey);
    }
    if !api_key.expose().bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ConfigError::InvalidArgument {
            name: "api_key",
            reason: "contains a space, a control character (often a trailing newline from a file) or a non-ASCII character; pass the key exactly as PostSyncer shows it".to_owned(),
        });
    }
    Ok(())
}

/// The `Authorization: Bearer …` header, marked sensitive so that it is never logged or
/// shown in `Debug`. The formatted copy is zeroized; the HTTP stack's own copies are not
/// ours to wipe.
pub(crate) fn bearer_header(api_key: &Secret) -> Result<HeaderValue, ApiError> {
    let text = Zeroizing::new(format!("Bearer {}", api_key.expose()));
    let mut value = HeaderValue::from_str(&text).map_err(|_| {
        ApiError::new(
            ApiErrorKind::InvalidRequest,
            "the API key cannot be sent in an HTTP header; pass the key exactly as PostSyncer shows it",
        )
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// Refuses a callback URL the service or a browser could not use.
pub(crate) fn check_callback_url(callback_url: &str) -> Result<(), ApiError> {
    let refuse = |reason: &str| {
        ApiError::new(
            ApiErrorKind::InvalidRequest,
            format!("invalid callback_url: {reason}"),
        )
    };
    if callback_url.len() > MAX_CALLBACK_URL_BYTES {
        return Err(refuse(&format!(
            "it is {} bytes long, more than {MAX_CALLBACK_URL_BYTES}",
            callback_url.len()
        )));
    }
    if callback_url
        .chars()
        .any(|c| c.is_control() || c.is_whitespace())
    {
        return Err(refuse(
            "it contains whitespace or a control character; percent-encode them",
        ));
    }
    let url = Url::parse(callback_url).map_err(|e| {
        refuse(&format!(
            "not an absolute URL ({e}); expected e.g. https://yourapp.com/callback"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(refuse(
            "it must be an http:// or https:// URL; the user's browser is sent there",
        ));
    }
    if url.host().is_none() {
        return Err(refuse(
            "it has no host; expected e.g. https://yourapp.com/callback",
        ));
    }
    if url.fragment().is_some() {
        return Err(refuse(
            "it has a #fragment, which would hide the proof's parameters from your server; remove it",
        ));
    }
    Ok(())
}

/// Refuses a state that could not round-trip through the callback safely.
pub(crate) fn check_state(state: &str) -> Result<(), ApiError> {
    let refuse = |reason: String| {
        ApiError::new(
            ApiErrorKind::InvalidRequest,
            format!("invalid state: {reason}"),
        )
    };
    if state.is_empty() {
        return Err(refuse(
            "it is empty; pass None to have a random state generated".to_owned(),
        ));
    }
    if state.len() > MAX_STATE_BYTES {
        return Err(refuse(format!(
            "it is {} bytes long, more than {MAX_STATE_BYTES}; pass None to have a random state generated",
            state.len()
        )));
    }
    if state.chars().any(char::is_control) {
        return Err(refuse(
            "it contains a control character; use a random URL-safe token (pass None to have one generated)".to_owned(),
        ));
    }
    // The signed base string joins fields with `&`, so a state containing `&` would weaken
    // the state check that defeats field-boundary shifting (protocol.md §2).
    if state.contains('&') {
        return Err(refuse(
            "it contains `&`; use a random URL-safe token (pass None to have one generated)"
                .to_owned(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn endpoint_is_under_the_base_path() {
        assert_eq!(
            sessions_endpoint("https://postsyncer.com/api")
                .unwrap()
                .as_str(),
            "https://postsyncer.com/api/oauth/delegate/sessions"
        );
        assert_eq!(
            sessions_endpoint("http://127.0.0.1:8787/api/")
                .unwrap()
                .as_str(),
            "http://127.0.0.1:8787/api/oauth/delegate/sessions"
        );
        assert!(sessions_endpoint("http://localhost:1/api").is_ok());
        assert!(sessions_endpoint("http://[::1]:1/api").is_ok());
    }

    #[test]
    fn base_url_refusals() {
        for bad in [
            "",
            "postsyncer.com/api",
            "http://postsyncer.com/api",
            "ftp://postsyncer.com/api",
            "https://user:pw@postsyncer.com/api",
            "https://postsyncer.com/api?x=1",
            "https://postsyncer.com/api#x",
        ] {
            let err = sessions_endpoint(bad).unwrap_err();
            assert_eq!(err.kind().as_str(), "invalid_argument", "{bad}");
            assert!(!err.to_string().contains("pw@"), "{err}");
        }
    }

    #[test]
    fn api_key_checks_never_echo_the_key() {
        assert_eq!(
            check_api_key(&Secret::new("")).unwrap_err(),
            ConfigError::EmptyApiKey
        );
        let err = check_api_key(&Secret::new("ps_key_with_newline\n")).unwrap_err();
        assert!(!err.to_string().contains("ps_key_with_newline"));
        assert!(check_api_key(&Secret::new("ps_test_api_key_0001")).is_ok());
    }

    #[test]
    fn bearer_header_is_sensitive() {
        let value = bearer_header(&Secret::new("ps_test_api_key_0001")).unwrap();
        assert!(value.is_sensitive());
        assert!(!format!("{value:?}").contains("ps_test_api_key_0001"));
        assert_eq!(value.to_str().unwrap(), "Bearer ps_test_api_key_0001");
    }

    #[test]
    fn callback_url_checks() {
        assert!(check_callback_url("https://yourapp.com/cb?next=1").is_ok());
        assert!(check_callback_url("http://127.0.0.1:3000/cb").is_ok());
        let too_long = format!("https://a.example/{}", "x".repeat(MAX_CALLBACK_URL_BYTES));
        for bad in [
            "",
            "/cb",
            "yourapp.com/cb",
            "javascript:alert(1)",
            "mailto:a@b.c",
            "file:///etc/passwd",
            "https://yourapp.com/cb#top",
            "https://yourapp.com/c b",
            " https://yourapp.com/cb",
            too_long.as_str(),
        ] {
            let err = check_callback_url(bad).unwrap_err();
            assert_eq!(err.kind(), ApiErrorKind::InvalidRequest, "{bad}");
            assert!(err.message().starts_with("invalid callback_url"));
        }
    }

    #[test]
    fn state_checks() {
        assert!(check_state("a1b2c3d4").is_ok());
        assert!(check_state(&"s".repeat(MAX_STATE_BYTES)).is_ok());
        for bad in [
            String::new(),
            "s".repeat(MAX_STATE_BYTES + 1),
            "a\nb".to_owned(),
            "a\u{7f}b".to_owned(),
            "a&state=b".to_owned(),
        ] {
            let err = check_state(&bad).unwrap_err();
            assert_eq!(err.kind(), ApiErrorKind::InvalidRequest, "{bad:?}");
            assert!(err.message().starts_with("invalid state"));
        }
    }
}
