//! The signed proof: its fields, the signature base, and signing (for emulators and tests).

use crate::error::ConfigError;
use crate::form::encode_into;
use crate::mac::HmacKey;
use crate::platform::Platform;
use crate::secret::scrub_stack;

/// A verified proof that the user owns `platform_id` on `platform`.
///
/// Trust `platform_id` as the identity; `handle` is display text that the user can change.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Proof {
    /// The platform the account is on.
    pub platform: Platform,
    /// The platform's permanent user id (TikTok `open_id`, X `user_id`, …).
    pub platform_id: String,
    /// The account's handle at the time of the proof; may be empty.
    pub handle: String,
    /// The state the app issued when it created the session.
    pub state: String,
    /// When the proof expires, in unix seconds.
    pub expires: i64,
}

/// The query parameters of a proof, in the order they are signed.
pub const PROOF_PARAMETERS: [&str; 6] = [
    "platform",
    "platform_id",
    "handle",
    "state",
    "expires",
    "sig",
];

/// The signature base
/// `platform={platform}&platform_id={platform_id}&handle={handle}&state={state}&expires={expires}`,
/// values as decoded.
pub(crate) fn signature_base(
    platform: &str,
    platform_id: &str,
    handle: &str,
    state: &str,
    expires: &str,
) -> String {
    let pieces = [
        "platform=",
        platform,
        "&platform_id=",
        platform_id,
        "&handle=",
        handle,
        "&state=",
        state,
        "&expires=",
        expires,
    ];
    let mut base = String::with_capacity(pieces.iter().map(|piece| piece.len()).sum());
    for piece in pieces {
        base.push_str(piece);
    }
    base
}

/// The HMAC key for one signing secret, or the reason it cannot be one.
pub(crate) fn hmac_key(secret: &str, index: usize) -> Result<HmacKey, ConfigError> {
    if secret.is_empty() {
        return Err(ConfigError::EmptySecret { index });
    }
    Ok(HmacKey::new(secret.as_bytes()))
}

/// Signs `proof` with `secret` and returns the callback query string
/// `platform=…&platform_id=…&handle=…&state=…&expires=…&sig=…`, values form-encoded.
///
/// This is what PostSyncer does; apps never need it. It exists for the emulator and for
/// tests. An empty secret is refused.
///
/// `secret` is only borrowed: no copy of it is kept, and the stack that computing the
/// signature used (where the HMAC code leaves the padded key and the key state) is
/// overwritten before this returns. The caller's own copy is the caller's to wipe.
///
/// ```
/// use postsyncer_delegation::{sign_proof, Platform, Proof, Verifier};
///
/// let proof = Proof {
///     platform: Platform::Tiktok,
///     platform_id: "_000abc".into(),
///     handle: "jane".into(),
///     state: "a1b2c3d4".into(),
///     expires: 1_717_000_000,
/// };
/// let query = sign_proof("ps_test_signing_secret_0001", &proof)?;
/// assert!(query.ends_with("sig=c6d39ec8b0fd92943a59ec2d9fa0d081eda01c7d8830daf9dd4b771278ee9a14"));
///
/// let verifier = Verifier::new(["ps_test_signing_secret_0001"])?;
/// assert_eq!(verifier.verify_at(&query, "a1b2c3d4", None, 1_716_999_940)?, proof);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sign_proof(secret: &str, proof: &Proof) -> Result<String, ConfigError> {
    let expires = proof.expires.to_string();
    let tag = signature(secret, proof, &expires);
    // What computing it left on the stack (the padded key, the key state) is overwritten
    // before anything else runs in that memory.
    scrub_stack();
    let tag = tag?;

    let mut query = String::with_capacity(160);
    for (name, value) in [
        ("platform", proof.platform.as_str()),
        ("platform_id", proof.platform_id.as_str()),
        ("handle", proof.handle.as_str()),
        ("state", proof.state.as_str()),
        ("expires", expires.as_str()),
    ] {
        query.push_str(name);
        query.push('=');
        encode_into(value, &mut query);
        query.push('&');
    }
    query.push_str("sig=");
    push_lower_hex(&tag, &mut query);
    Ok(query)
}

/// The HMAC tag of `proof` under `secret`. Never inlined, so that its frame (and those of
/// the HMAC code it calls) lies where [`scrub_stack`], called next by the same caller, then
/// writes zeros.
#[inline(never)]
fn signature(secret: &str, proof: &Proof, expires: &str) -> Result<[u8; 32], ConfigError> {
    let key = hmac_key(secret, 0)?;
    let base = signature_base(
        proof.platform.as_str(),
        &proof.platform_id,
        &proof.handle,
        &proof.state,
        expires,
    );
    Ok(key.tag(base.as_bytes()))
}

/// Appends `bytes` as lowercase hex.
pub(crate) fn push_lower_hex(bytes: &[u8], out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
}
