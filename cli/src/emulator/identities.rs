//! The accounts the emulator offers on its consent page: defaults for all eight platforms,
//! or scripted from a JSON file `[{"platform", "platform_id", "handle"}]`.

use std::fmt;
use std::path::{Path, PathBuf};

use postsyncer_delegation::Platform;
use serde::Deserialize;

/// One account the user can approve as.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    #[serde(deserialize_with = "platform_from_wire")]
    pub platform: Platform,
    pub platform_id: String,
    #[serde(default)]
    pub handle: String,
}

fn platform_from_wire<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Platform, D::Error> {
    let name = String::deserialize(d)?;
    name.parse().map_err(serde::de::Error::custom)
}

/// The identities offered, per platform.
#[derive(Clone, Debug)]
pub struct Identities(Vec<Identity>);

/// Why an identities file was refused.
#[derive(Debug)]
pub enum IdentitiesError {
    Read(PathBuf, std::io::Error),
    Parse(PathBuf, serde_json::Error),
    EmptyPlatformId(PathBuf, usize),
}

impl fmt::Display for IdentitiesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdentitiesError::Read(path, e) => {
                write!(f, "cannot read identities file {}: {e}", path.display())
            }
            IdentitiesError::Parse(path, e) => write!(
                f,
                "identities file {} is not a JSON list of {{\"platform\", \"platform_id\", \
                 \"handle\"}}: {e}",
                path.display()
            ),
            IdentitiesError::EmptyPlatformId(path, index) => write!(
                f,
                "identities file {}: entry #{index} has an empty platform_id",
                path.display()
            ),
        }
    }
}

impl Identities {
    /// One account per platform; TikTok's is the protocol's example (`_000abc`, `jane`).
    pub fn defaults() -> Identities {
        let defaults = [
            (Platform::Tiktok, "_000abc", "jane"),
            (Platform::Instagram, "17841400000000001", "jane.doe"),
            (Platform::Twitter, "1456789012345678901", "jane_doe"),
            (Platform::Linkedin, "x7Hq2LmN0p", "jane-doe"),
            (Platform::Youtube, "UCx7Hq2LmN0pQrStUvWxYz12", "@janedoe"),
            (Platform::Facebook, "100000000000001", "Jane Doe"),
            (Platform::Pinterest, "549755885175", "janedoe"),
            (Platform::Threads, "17841400000000002", "jane.doe"),
        ];
        Identities(
            defaults
                .into_iter()
                .map(|(platform, platform_id, handle)| Identity {
                    platform,
                    platform_id: platform_id.to_owned(),
                    handle: handle.to_owned(),
                })
                .collect(),
        )
    }

    /// The file's identities; a platform the file does not mention keeps its default.
    pub fn from_file(path: &Path) -> Result<Identities, IdentitiesError> {
        let text =
            std::fs::read_to_string(path).map_err(|e| IdentitiesError::Read(path.to_owned(), e))?;
        let scripted: Vec<Identity> =
            serde_json::from_str(&text).map_err(|e| IdentitiesError::Parse(path.to_owned(), e))?;
        if let Some(index) = scripted.iter().position(|i| i.platform_id.is_empty()) {
            return Err(IdentitiesError::EmptyPlatformId(path.to_owned(), index));
        }
        let mut all: Vec<Identity> = Identities::defaults()
            .0
            .into_iter()
            .filter(|d| !scripted.iter().any(|s| s.platform == d.platform))
            .collect();
        all.extend(scripted);
        Ok(Identities(all))
    }

    /// The accounts offered for `platform`, in file order.
    pub fn for_platform(&self, platform: Platform) -> impl Iterator<Item = &Identity> {
        self.0.iter().filter(move |i| i.platform == platform)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_platform_has_a_default() {
        let identities = Identities::defaults();
        for platform in Platform::ALL {
            assert_eq!(identities.for_platform(platform).count(), 1, "{platform}");
        }
    }
}
