//! The pending record a flow stores for each state, its text form, and the store key
//! derived from the state.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The record format's version, first in every record: a store shared by two versions of
/// the SDK tells them apart.
const FORMAT: u32 = 1;

/// What `begin` keeps for a state, and `complete` takes back (protocol.md §5). The state
/// itself is not in it: the key is derived from the state, so a record is only ever found
/// by the state it was stored for, and a dump of the store shows no live state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Record {
    pub(crate) v: u32,
    pub(crate) platform: String,
    pub(crate) callback_url: String,
    pub(crate) subject: String,
    pub(crate) metadata: Option<String>,
    /// Unix seconds.
    pub(crate) created_at: i64,
    /// Unix seconds; past it the record is refused even if the store still holds it.
    pub(crate) expires_at: i64,
}

impl Record {
    pub(crate) fn new(
        platform: &str,
        callback_url: &str,
        subject: &str,
        metadata: Option<&str>,
        created_at: i64,
        expires_at: i64,
    ) -> Record {
        Record {
            v: FORMAT,
            platform: platform.to_owned(),
            callback_url: callback_url.to_owned(),
            subject: subject.to_owned(),
            metadata: metadata.map(str::to_owned),
            created_at,
            expires_at,
        }
    }

    /// The record as stored: one JSON object.
    pub(crate) fn to_text(&self) -> Result<String, String> {
        serde_json::to_string(self).map_err(|e| format!("the record could not be encoded ({e})"))
    }

    /// A record read back from a store; `None` for text that is not a record of this format.
    pub(crate) fn from_text(text: &str) -> Option<Record> {
        serde_json::from_str::<Record>(text)
            .ok()
            .filter(|r| r.v == FORMAT)
    }
}

/// The store key of a state: SHA-256 over a domain tag and the state, as 64 lowercase hex
/// digits. A store (and anyone reading its keys) never sees a live state; the 256-bit
/// state cannot be recovered from its hash.
pub(crate) fn key_of(state: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"postsyncer-delegation/state/v1\0");
    hasher.update(state.as_bytes());
    let digest = hasher.finalize();
    let mut key = String::with_capacity(64);
    for byte in digest.iter() {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        key.push(char::from(HEX[usize::from(byte >> 4)]));
        key.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    key
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn a_record_survives_its_text_form() {
        let record = Record::new("tiktok", "https://a.example/cb", "user-1", Some("m"), 1, 2);
        let text = record.to_text().unwrap();
        assert_eq!(Record::from_text(&text), Some(record));
        assert!(!text.contains("state"), "{text}");
    }

    #[test]
    fn other_text_is_not_a_record() {
        for text in [
            "",
            "null",
            "{}",
            "not json",
            r#"{"v":2,"platform":"tiktok","callback_url":"u","subject":"s","metadata":null,"created_at":1,"expires_at":2}"#,
        ] {
            assert_eq!(Record::from_text(text), None, "{text}");
        }
    }

    #[test]
    fn keys_are_hex_hashes_that_hide_the_state() {
        let key = key_of("a1b2c3d4");
        assert_eq!(key.len(), 64);
        assert!(key
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert!(!key.contains("a1b2c3d4"));
        assert_eq!(key, key_of("a1b2c3d4"));
        assert_ne!(key, key_of("a1b2c3d5"));
    }
}
