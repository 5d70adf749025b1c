//! Local checks of the client's configuration and of each request, before anything is sent.

use std::net::IpAddr;

use reqwest::header::HeaderValue;
use url::{Host, Url};
use zeroize::Zeroizing;

use crate::error::{ApiError, ApiErrorKind, ConfigError};
use crate::quote::needs_escape;
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

fn is_loopback<S: AsRef<str>>(host: &Host<S>) -> bool {
    match host {
        Host::Domain(name) => name.as_ref().eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

/// The hosts an `authorize_url` may send the user's browser to, from the client's
/// configuration; [`AuthorizeHosts::check`] is the one check of every `authorize_url`.
///
/// Allowed: the API base URL's host and its subdomains (PostSyncer's API is
/// `https://postsyncer.com/api`, its authorize URLs are on `app.postsyncer.com`; the
/// emulator's are on its own `127.0.0.1:PORT`), plus each host given to
/// `ClientBuilder::allow_authorize_host`, exactly.
#[derive(Clone, Debug)]
pub(crate) struct AuthorizeHosts {
    /// The API base URL's host, as the url crate normalizes it (lowercase, punycode).
    api: Host<String>,
    /// Hosts allowed besides, exactly.
    extra: Vec<Host<String>>,
}

impl AuthorizeHosts {
    /// The policy of a client whose sessions endpoint is `endpoint`, also allowing `extra`
    /// (each a bare host name or IP address: no scheme, port or path).
    pub(crate) fn new(endpoint: &Url, extra: &[String]) -> Result<Self, ConfigError> {
        let api =
            endpoint
                .host()
                .map(|h| h.to_owned())
                .ok_or_else(|| ConfigError::InvalidArgument {
                    name: "base_url",
                    reason: "has no host; expected e.g. https://postsyncer.com/api".to_owned(),
                })?;
        let extra = extra
            .iter()
            .map(|host| {
                Host::parse(host).map_err(|_| ConfigError::InvalidArgument {
                    name: "authorize_host",
                    reason: "must be a bare host name or IP address (e.g. app.example.com), without scheme, port, path or spaces".to_owned(),
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(AuthorizeHosts { api, extra })
    }

    /// The service's `authorize_url`, parsed and checked: what the caller gets is the URL
    /// that was checked, serialized anew, never the raw text. Refused (with a reason that
    /// quotes nothing but the parsed host, escaped): whitespace or a control character
    /// anywhere in the raw text (the url crate would drop CR, LF and tab silently, and a
    /// header built from the raw text could be split), a relative or unparsable URL, a user
    /// name or password (`https://postsyncer.com@evil.example/` is a host in disguise), a
    /// scheme other than https (plain http only when both the API and the authorize URL are
    /// on a loopback host: the local emulator), and a host this policy does not allow.
    pub(crate) fn check(&self, raw: &str) -> Result<Url, String> {
        if raw.chars().any(|c| c.is_whitespace() || needs_escape(c)) {
            return Err("has an `authorize_url` containing whitespace or a control character, which a redirect must never carry".to_owned());
        }
        let url = Url::parse(raw)
            .map_err(|_| "has an `authorize_url` that is not an absolute URL".to_owned())?;
        let host = url
            .host()
            .ok_or_else(|| "has an `authorize_url` without a host".to_owned())?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err("has an `authorize_url` with a user name or password before its host (`user@host`), a way to disguise where it leads".to_owned());
        }
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&self.api) && is_loopback(&host) => {}
            _ => return Err("has an `authorize_url` that is not https:// (plain http is accepted only from an emulator on a loopback host)".to_owned()),
        }
        // The refused host is not quoted: an echoing server can put the API key there, and
        // the URL parser lowercases it, so redacting the key would miss it (a fuzz finding).
        if !self.allows(&host) {
            return Err(format!(
                "has an `authorize_url` on a host that is neither the API's host ({}) nor one of its subdomains; if PostSyncer is reached through another host, allow it with ClientBuilder::allow_authorize_host",
                self.api
            ));
        }
        Ok(url)
    }

    fn allows(&self, host: &Host<&str>) -> bool {
        if *host == self.api || self.extra.iter().any(|allowed| host == allowed) {
            return true;
        }
        match (host, &self.api) {
            (Host::Domain(name), Host::Domain(api)) => name
                .strip_suffix(api.as_str())
                .is_some_and(|label| label.len() > 1 && label.ends_with('.')),
            _ => false,
        }
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

    fn hosts(base_url: &str, extra: &[&str]) -> AuthorizeHosts {
        let extra: Vec<String> = extra.iter().map(|h| (*h).to_owned()).collect();
        AuthorizeHosts::new(&sessions_endpoint(base_url).unwrap(), &extra).unwrap()
    }

    #[test]
    fn authorize_urls_of_postsyncer_and_the_emulator_pass_as_serialized() {
        let production = hosts(crate::client::DEFAULT_BASE_URL, &[]);
        for good in [
            "https://app.postsyncer.com/oauth/delegate?request=psd_Zw8zKF_fznM43uPXSUhKEfOyp5PkTNNB",
            "https://postsyncer.com/oauth/delegate?request=psd_x",
            "https://a.b.postsyncer.com/x",
        ] {
            assert_eq!(production.check(good).unwrap().as_str(), good);
        }
        // What is returned is the parsed URL, serialized anew.
        assert_eq!(
            production
                .check("HTTPS://APP.PostSyncer.com/o")
                .unwrap()
                .as_str(),
            "https://app.postsyncer.com/o"
        );
        let emulator = hosts("http://127.0.0.1:8787/api", &[]);
        let local = "http://127.0.0.1:8787/oauth/delegate?request=psd_x";
        assert_eq!(emulator.check(local).unwrap().as_str(), local);
        assert!(hosts("http://localhost:1/api", &[])
            .check("http://localhost:1/oauth/delegate?request=x")
            .is_ok());
        assert!(hosts("http://[::1]:1/api", &[])
            .check("http://[::1]:1/o")
            .is_ok());
    }

    #[test]
    fn hostile_authorize_urls_are_refused_without_quoting_them() {
        let production = hosts(crate::client::DEFAULT_BASE_URL, &[]);
        for bad in [
            "https://app.postsyncer.com/x\r\nSet-Cookie: a=b",
            "https://app.postsyncer.com/x\nLocation: https://evil.example/",
            "https://app.postsyncer.com/x\ty",
            "https://app.postsyncer.com/x y",
            " https://app.postsyncer.com/x",
            "https://app.postsyncer.com/x\u{1b}[2J",
            "https://app.postsyncer.com/x\u{2028}",
            "https://app.postsyncer.com/x\u{0}",
            "http://app.postsyncer.com/x",
            "http://evil.example/steal",
            "https://evil.example/steal",
            "https://postsyncer.com@evil.example/x",
            "https://user:pw@app.postsyncer.com/x",
            "https://evilpostsyncer.com/x",
            "https://postsyncer.com.evil.example/x",
            "https://evil.example\\@app.postsyncer.com/x",
            "javascript:alert(1)",
            "data:text/html,hi",
            "//app.postsyncer.com/x",
            "/oauth/delegate",
            "",
        ] {
            let reason = production.check(bad).expect_err(bad);
            assert!(!reason.chars().any(needs_escape), "{bad:?}: {reason}");
            for dangerous in ["Set-Cookie", "Location", "steal", "pw", "alert", "/x"] {
                assert!(!reason.contains(dangerous), "{bad:?}: {reason}");
            }
        }
        // Plain http is the emulator's privilege: on loopback, from a loopback API only.
        let emulator = hosts("http://127.0.0.1:8787/api", &[]);
        assert!(emulator.check("http://evil.example/x").is_err());
        assert!(emulator.check("http://127.0.0.2:8787/x").is_err());
        assert!(hosts("https://api.example", &["127.0.0.1"])
            .check("http://127.0.0.1/x")
            .is_err());
        assert!(hosts("https://127.0.0.1/api", &[])
            .check("http://127.0.0.1/x")
            .is_ok());
    }

    #[test]
    fn allowed_authorize_hosts_are_exact() {
        let fronted = hosts(
            "https://api.example.com/ps",
            &["Login.Example.com", "10.0.0.1"],
        );
        assert!(fronted
            .check("https://login.example.com/o?request=x")
            .is_ok());
        assert!(fronted.check("https://10.0.0.1/o").is_ok());
        assert!(fronted.check("https://x.api.example.com/o").is_ok());
        assert!(fronted.check("https://sub.login.example.com/o").is_err());
        assert!(fronted.check("https://example.com/o").is_err());
        for bad in [
            "",
            "https://login.example.com",
            "login.example.com:443",
            "a b",
            "x/y",
        ] {
            let endpoint = sessions_endpoint("https://api.example.com").unwrap();
            let err = AuthorizeHosts::new(&endpoint, &[bad.to_owned()]).unwrap_err();
            assert!(err.to_string().contains("authorize_host"), "{bad}: {err}");
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

    #[test]
    fn a_refused_host_is_never_quoted() {
        // The session_response fuzz target's finding: an answer whose authorize_url host is
        // the API key (an echoing server), which the URL parser lowercases.
        let why = hosts("https://postsyncer.com/api", &[])
            .check("https://PS_live_Key_0123/oauth/delegate?request=psd_x")
            .unwrap_err();
        assert!(!why.to_lowercase().contains("ps_live_key_0123"), "{why}");
        assert!(why.contains("postsyncer.com"), "{why}");
    }
}
