//! `Verifier`: the verification contract of protocol.md §2, step by step, in its order.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use subtle::{Choice, ConstantTimeEq};

use crate::clock::unix_now;
use crate::error::{ConfigError, VerifyError, VerifyErrorKind};
use crate::form::{
    decode, decode_hex_32, query_of, raw_pairs, take_plain_pair, DecodeError, RawPair,
};
use crate::mac::HmacKey;
use crate::platform::Platform;
use crate::proof::{hmac_key, signature_base, Proof, PROOF_PARAMETERS};
use crate::quote::quote;
use crate::secret::{scrub_stack, Secret};

/// The default bound on how far ahead a proof's expiry may be: one hour.
pub const DEFAULT_MAX_LIFETIME: Duration = Duration::from_secs(3600);

/// Verifies PostSyncer callbacks against one or more signing secrets.
///
/// Build it once at start-up and share it: it is `Send + Sync`, and the HMAC key state of
/// each secret is computed once, here, not per callback. The key states are zeroized when
/// the verifier is dropped, and the builder's copies of the secrets when it is built; the
/// secrets the caller passed are the caller's to wipe (see [`Secret`] for what is not wiped).
///
/// ```
/// use postsyncer_delegation::{Platform, Verifier};
///
/// let verifier = Verifier::new(["ps_test_signing_secret_0001"])?;
/// let callback = "https://yourapp.com/cb?platform=tiktok&platform_id=_000abc&handle=jane\
///     &state=a1b2c3d4&expires=1717000000\
///     &sig=c6d39ec8b0fd92943a59ec2d9fa0d081eda01c7d8830daf9dd4b771278ee9a14";
/// let proof = verifier.verify_at(callback, "a1b2c3d4", Some(Platform::Tiktok), 1_716_999_940)?;
/// assert_eq!(proof.platform_id, "_000abc");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Verifier {
    keys: Vec<HmacKey>,
    leeway_seconds: u64,
    max_lifetime_seconds: Option<u64>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("secrets", &format_args!("<{} redacted>", self.keys.len()))
            .field("leeway_seconds", &self.leeway_seconds)
            .field("max_lifetime_seconds", &self.max_lifetime_seconds)
            .finish()
    }
}

/// Builds a [`Verifier`] with a leeway or maximum lifetime other than the defaults.
#[derive(Debug, Default)]
pub struct VerifierBuilder {
    secrets: Vec<Secret>,
    leeway: Duration,
    max_lifetime: Option<Duration>,
    max_lifetime_set: bool,
}

impl VerifierBuilder {
    /// Adds a signing secret. During a rotation, add both the new and the old one.
    pub fn secret(mut self, secret: impl Into<Secret>) -> Self {
        self.secrets.push(secret.into());
        self
    }

    /// How late a proof may still be accepted, for clocks that disagree. Default 0.
    /// Whole seconds count; fractions are dropped.
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// How far ahead of now (plus leeway) an expiry may be. Default one hour;
    /// `None` turns the bound off. Whole seconds count; fractions are dropped.
    pub fn max_lifetime(mut self, max_lifetime: Option<Duration>) -> Self {
        self.max_lifetime = max_lifetime;
        self.max_lifetime_set = true;
        self
    }

    /// The verifier, or why the configuration is refused (no secret, an empty secret).
    pub fn build(self) -> Result<Verifier, ConfigError> {
        if self.secrets.is_empty() {
            return Err(ConfigError::NoSecret);
        }
        let keys = key_states(&self.secrets);
        // What deriving them left on the stack (padded keys, key states) is overwritten now.
        scrub_stack();
        let keys = keys?;
        let max_lifetime = if self.max_lifetime_set {
            self.max_lifetime
        } else {
            Some(DEFAULT_MAX_LIFETIME)
        };
        Ok(Verifier {
            keys,
            leeway_seconds: self.leeway.as_secs(),
            max_lifetime_seconds: max_lifetime.map(|d| d.as_secs()),
        })
    }
}

/// The HMAC key state of each secret. Never inlined, so that the stack it used is where the
/// caller's next call, [`scrub_stack`], writes zeros.
#[inline(never)]
fn key_states(secrets: &[Secret]) -> Result<Vec<HmacKey>, ConfigError> {
    secrets
        .iter()
        .enumerate()
        .map(|(index, secret)| hmac_key(secret.expose(), index))
        .collect()
}

impl Verifier {
    /// A verifier for these signing secrets with the default leeway (0 s) and maximum
    /// lifetime (3600 s). Refuses an empty list and an empty secret.
    pub fn new<I>(secrets: I) -> Result<Verifier, ConfigError>
    where
        I: IntoIterator,
        I::Item: Into<Secret>,
    {
        secrets
            .into_iter()
            .fold(Verifier::builder(), VerifierBuilder::secret)
            .build()
    }

    /// A builder, for a leeway or maximum lifetime other than the defaults.
    pub fn builder() -> VerifierBuilder {
        VerifierBuilder::default()
    }

    /// The leeway, in seconds.
    pub fn leeway_seconds(&self) -> u64 {
        self.leeway_seconds
    }

    /// The maximum lifetime, in seconds; `None` when the bound is off.
    pub fn max_lifetime_seconds(&self) -> Option<u64> {
        self.max_lifetime_seconds
    }

    /// Verifies a callback (the whole URL, or its query with or without `?`) against the
    /// system clock. See [`Verifier::verify_at`].
    pub fn verify(
        &self,
        callback: &str,
        expected_state: &str,
        expected_platform: Option<Platform>,
    ) -> Result<Proof, VerifyError> {
        self.verify_at(callback, expected_state, expected_platform, unix_now())
    }

    /// Verifies a callback as of `now` (unix seconds), following protocol.md §2 in order:
    /// parameters, signature, platform, state, expiry. The first failing step decides.
    ///
    /// `expected_state` is the state this app issued for the session (spend it after this
    /// call, whatever the outcome); `expected_platform` the platform the session was
    /// created for, when the app wants it checked.
    pub fn verify_at(
        &self,
        callback: &str,
        expected_state: &str,
        expected_platform: Option<Platform>,
        now: i64,
    ) -> Result<Proof, VerifyError> {
        let params = CallbackParams::scan(query_of(callback));
        if let Some(code) = params.error {
            return Err(denied(code, params.error_description));
        }
        let [platform, platform_id, handle, state, expires, sig] = params.decode_proof_values()?;
        require_non_empty("platform", &platform)?;
        require_non_empty("platform_id", &platform_id)?;
        require_non_empty("state", &state)?;
        let expires_value = parse_expires(&expires)?;
        let sig = parse_sig(&sig)?;

        let base = params.verbatim_base().map_or_else(
            || {
                Cow::Owned(signature_base(
                    &platform,
                    &platform_id,
                    &handle,
                    &state,
                    &expires,
                ))
            },
            Cow::Borrowed,
        );
        let mut any_matches = Choice::from(0);
        for key in &self.keys {
            any_matches |= bytes_equal(&key.tag(base.as_bytes()), &sig);
        }
        if !bool::from(any_matches) {
            return Err(VerifyError::new(
                VerifyErrorKind::BadSignature,
                None,
                "the signature does not match any configured signing secret: the callback was \
                 altered, or this server uses a different or rotated secret (during a rotation, \
                 configure both the old and the new one)",
            ));
        }

        let platform = check_platform(&platform, expected_platform)?;
        if !bool::from(bytes_equal(state.as_bytes(), expected_state.as_bytes())) {
            return Err(VerifyError::new(
                VerifyErrorKind::StateMismatch,
                Some("state"),
                "the state is not the one issued for this session: the callback belongs to \
                 another session (or was replayed); start a new session",
            ));
        }
        self.check_expiry(expires_value, now)?;

        Ok(Proof {
            platform,
            platform_id: platform_id.into_owned(),
            handle: handle.into_owned(),
            state: state.into_owned(),
            expires: expires_value,
        })
    }

    fn check_expiry(&self, expires: i64, now: i64) -> Result<(), VerifyError> {
        // i128 so that no sum of an i64 and two u64s can overflow.
        let (expires, now, leeway) = (
            i128::from(expires),
            i128::from(now),
            i128::from(self.leeway_seconds),
        );
        if expires + leeway < now {
            return Err(VerifyError::new(
                VerifyErrorKind::Expired,
                Some("expires"),
                format!(
                    "the proof expired {} s ago (leeway {} s): the user took too long to come \
                     back, or this server's clock is ahead; start a new session",
                    now - expires,
                    leeway
                ),
            ));
        }
        if let Some(max_lifetime) = self.max_lifetime_seconds {
            if expires > now + i128::from(max_lifetime) + leeway {
                return Err(VerifyError::new(
                    VerifyErrorKind::ExpiryTooFar,
                    Some("expires"),
                    format!(
                        "the proof expires {} s from now, beyond the {} s maximum lifetime: an \
                         expiry in milliseconds, a wrong clock, or a proof minted to live too long",
                        expires - now,
                        max_lifetime
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// What one scan of the query found: the first raw value and the count of each proof
/// parameter, and the OAuth error fields.
#[cfg_attr(test, derive(Debug, PartialEq))]
struct CallbackParams<'a> {
    query: &'a str,
    first: [Option<RawPair<'a>>; 6],
    count: [u32; 6],
    error: Option<&'a str>,
    error_description: Option<&'a str>,
}

impl<'a> CallbackParams<'a> {
    fn scan(query: &'a str) -> Self {
        Self::exactly_the_proof(query).unwrap_or_else(|| Self::scan_every_pair(query))
    }

    fn scan_every_pair(query: &'a str) -> Self {
        let mut params = CallbackParams {
            query,
            first: [None; 6],
            count: [0; 6],
            error: None,
            error_description: None,
        };
        for pair in raw_pairs(query) {
            // A key that does not decode cannot name a parameter of ours: ignore it.
            let Ok(key) = pair.key() else { continue };
            let slot = match key.as_ref() {
                "platform" => 0,
                "platform_id" => 1,
                "handle" => 2,
                "state" => 3,
                "expires" => 4,
                "sig" => 5,
                "error" => {
                    params.error.get_or_insert(pair.raw_value());
                    continue;
                }
                "error_description" => {
                    params.error_description.get_or_insert(pair.raw_value());
                    continue;
                }
                _ => continue,
            };
            params.count[slot] = params.count[slot].saturating_add(1);
            params.first[slot].get_or_insert(pair);
        }
        params
    }

    /// What [`scan_every_pair`](Self::scan_every_pair) finds in a query of the six proof
    /// pairs alone, in the signed order, with nothing to decode (a callback as PostSyncer
    /// sends it to a callback URL without a query of its own), read pair by pair rather than
    /// byte by byte; `None` for any other query. Classifying every byte cost about 60 ns of
    /// a 400 ns verification (bench/ANALYSIS.md).
    #[inline(always)]
    fn exactly_the_proof(query: &'a str) -> Option<Self> {
        let mut rest = query;
        let mut take = |slot: usize| take_plain_pair(&mut rest, PROOF_PARAMETERS[slot]).map(Some);
        let first = [take(0)?, take(1)?, take(2)?, take(3)?, take(4)?, take(5)?];
        // Anything left after `sig` is more pairs (a trailing `&` leaves nothing, and the
        // empty piece after it is skipped by the full scan too).
        rest.is_empty().then_some(CallbackParams {
            query,
            first,
            count: [1; 6],
            error: None,
            error_description: None,
        })
    }

    /// The signature base as one slice of the query, when the callback carries it verbatim:
    /// the five signed pairs adjacent, in order, none needing decoding (as PostSyncer sends
    /// them). Reading it in place spares assembling it.
    fn verbatim_base(&self) -> Option<&'a str> {
        // Every slice of a pair lies inside `query` (form::RawPairs), so these are offsets.
        let start_of = |text: &str| text.as_ptr() as usize - self.query.as_ptr() as usize;
        let end_of = |text: &str| start_of(text) + text.len();
        let mut previous_value_end = None;
        for pair in &self.first[..5] {
            let pair = (*pair)?;
            // Plain, and an `=` between key and value (a bare key means an empty value,
            // which the base spells `key=`).
            if !pair.is_plain() || start_of(pair.raw_value()) != end_of(pair.raw_key()) + 1 {
                return None;
            }
            if previous_value_end.is_some_and(|end| end + 1 != start_of(pair.raw_key())) {
                return None;
            }
            previous_value_end = Some(end_of(pair.raw_value()));
        }
        let start = start_of(self.first[0]?.raw_key());
        self.query.get(start..previous_value_end?)
    }

    /// Step 3: each proof parameter, in order, present exactly once and decodable.
    fn decode_proof_values(&self) -> Result<[Cow<'a, str>; 6], VerifyError> {
        let mut values: [Cow<'a, str>; 6] = Default::default();
        for (i, name) in PROOF_PARAMETERS.iter().enumerate() {
            let pair = match (self.first[i], self.count[i]) {
                (Some(pair), 1) => pair,
                (None, _) => {
                    return Err(VerifyError::new(
                        VerifyErrorKind::MissingParameter,
                        Some(name),
                        format!(
                            "the callback has no `{name}` parameter: pass the whole callback \
                             URL or query string exactly as received"
                        ),
                    ))
                }
                (Some(_), n) => {
                    return Err(VerifyError::new(
                        VerifyErrorKind::DuplicateParameter,
                        Some(name),
                        format!(
                            "`{name}` appears {n} times in the callback; a genuine callback \
                             carries each parameter once, so this one was tampered with"
                        ),
                    ))
                }
            };
            values[i] = pair.value().map_err(|e| {
                let why = match e {
                    DecodeError::BadEscape => "has a `%` not followed by two hex digits",
                    DecodeError::InvalidUtf8 => "does not decode to UTF-8 text",
                };
                malformed(name, format!("`{name}` {why}"))
            })?;
        }
        Ok(values)
    }
}

fn malformed(name: &'static str, detail: impl fmt::Display) -> VerifyError {
    VerifyError::new(
        VerifyErrorKind::MalformedParameter,
        Some(name),
        format!("{detail}; the callback was altered or truncated on its way here"),
    )
}

/// Step 2: the callback carries an OAuth error instead of a proof. Anyone can send one, so
/// the message quotes `error` and `error_description` only through [`quote`] (escaped, capped);
/// the code itself is kept exactly as decoded (the raw text when it does not decode).
fn denied(code: &str, description: Option<&str>) -> VerifyError {
    let code = decode(code).map_or_else(|_| code.to_owned(), Cow::into_owned);
    let mut message = format!(
        "the authorization did not complete (`{}`): the user denied access or the \
         platform failed; offer to start a new session",
        quote(&code)
    );
    if let Some(description) = description.and_then(|d| decode(d).ok()) {
        message.push_str(". PostSyncer said: ");
        message.push_str(&quote(&description));
    }
    VerifyError::denied(code, message)
}

fn require_non_empty(name: &'static str, value: &str) -> Result<(), VerifyError> {
    if value.is_empty() {
        return Err(malformed(name, format!("`{name}` is empty")));
    }
    Ok(())
}

/// Step 4 for `expires`: 1–19 ASCII digits with a value ≤ 2^63−1.
/// One pass: nineteen digits cannot overflow a `u64`, so only the final value is bounded.
fn parse_expires(text: &str) -> Result<i64, VerifyError> {
    (1..=19)
        .contains(&text.len())
        .then(|| {
            text.bytes().try_fold(0u64, |value, b| {
                b.is_ascii_digit().then(|| value * 10 + u64::from(b - b'0'))
            })
        })
        .flatten()
        .and_then(|value| i64::try_from(value).ok())
        .ok_or_else(|| {
            malformed(
                "expires",
                "`expires` must be unix seconds: 1 to 19 digits, at most 9223372036854775807",
            )
        })
}

/// Step 4 for `sig`: exactly 64 hex digits, either case, decoded to 32 bytes.
fn parse_sig(text: &str) -> Result<[u8; 32], VerifyError> {
    decode_hex_32(text.as_bytes()).ok_or_else(|| {
        malformed(
            "sig",
            "`sig` must be exactly 64 hex digits (an HMAC-SHA256)",
        )
    })
}

/// Compares two byte strings in constant time: their lengths are not secret (unequal
/// lengths answer at once), their bytes are folded into one word that meets `subtle`'s
/// optimisation barrier once. `subtle`'s slice comparison puts a barrier on every byte:
/// measured here, that made a whole verification about 100 ns (20 %) slower for the tag
/// alone (bench/ANALYSIS.md).
fn bytes_equal(a: &[u8], b: &[u8]) -> Choice {
    if a.len() != b.len() {
        return Choice::from(0);
    }
    let word = |bytes: &[u8]| {
        let mut le = [0u8; 8];
        le.copy_from_slice(bytes);
        u64::from_le_bytes(le)
    };
    let (a_words, b_words) = (a.chunks_exact(8), b.chunks_exact(8));
    let mut difference = a_words
        .remainder()
        .iter()
        .zip(b_words.remainder())
        .fold(0u64, |acc, (x, y)| acc | u64::from(x ^ y));
    for (x, y) in a_words.zip(b_words) {
        difference |= word(x) ^ word(y);
    }
    difference.ct_eq(&0)
}

/// Step 6: one of the eight, and the expected one when the app named it.
fn check_platform(name: &str, expected: Option<Platform>) -> Result<Platform, VerifyError> {
    let platform = Platform::from_wire(name).ok_or_else(|| {
        VerifyError::new(
            VerifyErrorKind::UnsupportedPlatform,
            Some("platform"),
            "the signed platform is not one that delegation supports (tiktok, instagram, \
             twitter, linkedin, youtube, facebook, pinterest, threads); update this library \
             if PostSyncer has added one",
        )
    })?;
    match expected {
        Some(expected) if expected != platform => Err(VerifyError::new(
            VerifyErrorKind::PlatformMismatch,
            Some("platform"),
            format!(
                "the proof is for {platform}, but this session was created for {expected}; \
                 the callback belongs to another session"
            ),
        )),
        _ => Ok(platform),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ConfigError;
    use crate::proof::sign_proof;

    #[test]
    fn scan_slots_follow_the_signed_parameter_order() {
        for (i, name) in PROOF_PARAMETERS.iter().enumerate() {
            let query = format!("{name}=x");
            let params = CallbackParams::scan(&query);
            assert_eq!(params.first[i].map(|p| p.raw_value()), Some("x"), "{name}");
        }
    }

    /// The shortcut against the full scan, for the callback as PostSyncer sends it and for
    /// every one-byte change of it that matters to a scan: whenever the shortcut answers, the
    /// full scan answers the same.
    #[test]
    fn reading_the_proof_pair_by_pair_agrees_with_the_full_scan() {
        let canonical = "platform=tiktok&platform_id=_000abc&handle=jane&state=a1b2c3d4\
                         &expires=1717000000&sig=c6d39ec8b0fd92943a59ec2d9fa0d081eda01c7d8830daf9dd4b771278ee9a14";
        let mut queries = vec![
            canonical.to_owned(),
            format!("{canonical}&"),
            format!("{canonical}&&"),
            format!("&{canonical}"),
            format!("{canonical}&x=1"),
            format!("x=1&{canonical}"),
            canonical.replace("handle=jane", "handle="),
            canonical.replace("&handle=jane", "&handle"),
            canonical.replace("state=a1b2", "state=a=1b2"),
        ];
        for at in 0..=canonical.len() {
            for byte in ["&", "=", "%", "+", "%41", "#", "a", "é"] {
                let (before, after) = canonical.split_at(at);
                queries.push(format!("{before}{byte}{after}"));
                if let Some(rest) = after.get(1..) {
                    queries.push(format!("{before}{byte}{rest}"));
                    queries.push(format!("{before}{rest}"));
                }
            }
        }
        let mut answered = 0;
        for query in &queries {
            if let Some(params) = CallbackParams::exactly_the_proof(query) {
                assert_eq!(params, CallbackParams::scan_every_pair(query), "{query}");
                answered += 1;
            }
        }
        // The shortcut answered for the canonical text and for changes inside values.
        assert!(
            answered > 100,
            "only {answered} of {} answered",
            queries.len()
        );
        assert!(CallbackParams::exactly_the_proof(canonical).is_some());
        for other in [
            format!("{canonical}&x=1"),
            format!("x=1&{canonical}"),
            canonical.replace("jane", "ja+ne"),
            canonical.replace("jane", "j%61ne"),
            canonical.replace("&handle=jane", "&handle"),
            canonical.replace("&handle=jane", ""),
        ] {
            assert!(
                CallbackParams::exactly_the_proof(&other).is_none(),
                "{other}"
            );
        }
    }

    #[test]
    fn the_base_is_read_verbatim_only_when_it_is_the_canonical_text() {
        let base = "platform=tiktok&platform_id=_0&handle=jane&state=s1&expires=17";
        let verbatim = |query: &str| {
            CallbackParams::scan(query)
                .verbatim_base()
                .map(str::to_owned)
        };
        assert_eq!(verbatim(&format!("{base}&sig=00")).as_deref(), Some(base));
        assert_eq!(
            verbatim(&format!("x=1&&{base}&sig=00")).as_deref(),
            Some(base)
        );
        for other in [
            "platform=tiktok&platform_id=_0&handle&state=s1&expires=17",
            "platform=tiktok&platform_id=_0&handle=ja+ne&state=s1&expires=17",
            "platform=tiktok&platform_id=_0&handle=j%61ne&state=s1&expires=17",
            "platform=tiktok&platform_id=_0&h%61ndle=jane&state=s1&expires=17",
            "platform=tiktok&platform_id=_0&&handle=jane&state=s1&expires=17",
            "platform=tiktok&platform_id=_0&x=1&handle=jane&state=s1&expires=17",
            "platform_id=_0&platform=tiktok&handle=jane&state=s1&expires=17",
        ] {
            assert_eq!(verbatim(&format!("{other}&sig=00")), None, "{other}");
        }
    }

    #[test]
    fn a_bare_key_is_signed_as_an_empty_value() {
        let secret = "ps_test_signing_secret_0001";
        let proof = Proof {
            platform: Platform::Tiktok,
            platform_id: "_0".to_owned(),
            handle: String::new(),
            state: "s1".to_owned(),
            expires: 1_717_000_000,
        };
        let signed = sign_proof(secret, &proof).unwrap();
        let bare = signed.replace("handle=&", "handle&");
        assert_ne!(bare, signed);
        let verifier = Verifier::new([secret]).unwrap();
        assert_eq!(
            verifier.verify_at(&bare, "s1", None, 1_716_999_999),
            Ok(proof)
        );
    }

    #[test]
    fn empty_and_missing_secrets_are_refused() {
        assert_eq!(
            Verifier::new(Vec::<String>::new()).unwrap_err(),
            ConfigError::NoSecret
        );
        assert_eq!(
            Verifier::new(["fine", ""]).unwrap_err(),
            ConfigError::EmptySecret { index: 1 }
        );
    }

    #[test]
    fn debug_output_hides_the_secrets() {
        let verifier = Verifier::new(["ps_live_topsecret"]).unwrap();
        let debug = format!("{verifier:?}");
        assert!(!debug.contains("topsecret"), "{debug}");
        assert!(debug.contains("<1 redacted>"), "{debug}");
    }

    #[test]
    fn defaults_are_zero_leeway_and_one_hour() {
        let verifier = Verifier::new(["s"]).unwrap();
        assert_eq!(verifier.leeway_seconds(), 0);
        assert_eq!(verifier.max_lifetime_seconds(), Some(3600));
        let unbounded = Verifier::builder()
            .secret("s")
            .max_lifetime(None)
            .build()
            .unwrap();
        assert_eq!(unbounded.max_lifetime_seconds(), None);
    }

    fn denial(callback: &str) -> VerifyError {
        let err = Verifier::new(["s"])
            .unwrap()
            .verify_at(callback, "s", None, 0)
            .unwrap_err();
        assert_eq!(err.kind(), VerifyErrorKind::AuthorizationDenied);
        err
    }

    #[test]
    fn denial_quotes_a_bounded_description() {
        let long = "x".repeat(5000);
        let err = denial(&format!("error=access_denied&error_description={long}"));
        assert_eq!(err.code(), Some("access_denied"));
        assert!(err.message().len() < 600);
    }

    #[test]
    fn denial_messages_escape_control_characters_but_codes_stay_exact() {
        // CR LF, ESC, BEL, NUL, U+2028, and a backslash, in both the code and the description.
        let err = denial(
            "error=denied%0D%0ASet-Cookie:+a%3Db%1B%5B2J%07%00%E2%80%A8%5C\
             &error_description=line%0D%0Ainjected%1B%5D0;title%07%00%E2%80%A8end",
        );
        assert_eq!(
            err.code(),
            Some("denied\r\nSet-Cookie: a=b\u{1b}[2J\u{7}\0\u{2028}\\")
        );
        let message = err.message();
        assert!(
            message.contains("(`denied\\r\\nSet-Cookie: a=b\\u{1b}[2J\\u{7}\\u{0}\\u{2028}\\\\`)"),
            "{message}"
        );
        assert!(
            message.ends_with(
                "PostSyncer said: line\\r\\ninjected\\u{1b}]0;title\\u{7}\\u{0}\\u{2028}end"
            ),
            "{message}"
        );
        assert!(
            !message.chars().any(crate::quote::needs_escape),
            "{message}"
        );
    }

    #[test]
    fn a_huge_denial_gives_a_short_message_and_the_exact_code() {
        // 100 MB of `%1B`: a 33 MB code, which must come back whole, but never in the message.
        let escapes = 100_000_000 / 3;
        let callback = format!(
            "error={}&error_description={}",
            "%1B".repeat(escapes),
            "%0A".repeat(1_000_000)
        );
        let err = denial(&callback);
        drop(callback);
        let code = err.code().unwrap();
        assert_eq!(code.len(), escapes);
        assert!(code.bytes().all(|b| b == 0x1b));
        assert!(err.message().len() < 1024, "{}", err.message().len());
        assert!(err.message().contains("\\u{1b}\\u{1b}"));
        assert!(err.message().contains("\\n\\n…"));
        assert!(!err.message().chars().any(char::is_control));
    }

    #[test]
    fn messages_never_contain_the_secret() {
        let verifier = Verifier::new(["ps_live_topsecret"]).unwrap();
        for input in [
            "",
            "sig=zz",
            "platform=tiktok&platform_id=1&handle=&state=s&expires=1&sig=00",
        ] {
            let err = verifier.verify_at(input, "s", None, 0).unwrap_err();
            assert!(!err.message().contains("topsecret"));
        }
    }
}
