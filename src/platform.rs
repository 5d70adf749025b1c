//! The eight platforms PostSyncer delegates ownership proofs for.

use std::fmt;
use std::str::FromStr;

/// A social platform that PostSyncer can prove account ownership for.
///
/// The wire names are lowercase; X keeps its historical wire name `twitter`.
/// Bluesky, Telegram and Mastodon are not part of delegation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Platform {
    /// TikTok (`tiktok`).
    Tiktok,
    /// Instagram (`instagram`).
    Instagram,
    /// X, formerly Twitter (`twitter`).
    Twitter,
    /// LinkedIn (`linkedin`).
    Linkedin,
    /// YouTube (`youtube`).
    Youtube,
    /// Facebook (`facebook`).
    Facebook,
    /// Pinterest (`pinterest`).
    Pinterest,
    /// Threads (`threads`).
    Threads,
}

impl Platform {
    /// Every supported platform, in the order of the protocol documentation.
    pub const ALL: [Platform; 8] = [
        Platform::Tiktok,
        Platform::Instagram,
        Platform::Twitter,
        Platform::Linkedin,
        Platform::Youtube,
        Platform::Facebook,
        Platform::Pinterest,
        Platform::Threads,
    ];

    /// The name used on the wire (`twitter` for X).
    pub const fn as_str(self) -> &'static str {
        match self {
            Platform::Tiktok => "tiktok",
            Platform::Instagram => "instagram",
            Platform::Twitter => "twitter",
            Platform::Linkedin => "linkedin",
            Platform::Youtube => "youtube",
            Platform::Facebook => "facebook",
            Platform::Pinterest => "pinterest",
            Platform::Threads => "threads",
        }
    }

    /// The platform with this exact wire name, if it is one of the eight.
    ///
    /// Matching is exact: `TikTok` or `x` are not wire names.
    pub fn from_wire(name: &str) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.as_str() == name)
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error returned when a string is not one of the eight wire names.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a supported platform; use one of tiktok, instagram, twitter, linkedin, youtube, facebook, pinterest, threads")]
pub struct UnknownPlatform(pub String);

impl FromStr for Platform {
    type Err = UnknownPlatform;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Platform::from_wire(s).ok_or_else(|| UnknownPlatform(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip() {
        for p in Platform::ALL {
            assert_eq!(p.as_str().parse::<Platform>(), Ok(p));
        }
        assert_eq!(Platform::Twitter.to_string(), "twitter");
    }

    #[test]
    fn matching_is_exact() {
        assert!("TikTok".parse::<Platform>().is_err());
        assert!("x".parse::<Platform>().is_err());
        assert!("bluesky".parse::<Platform>().is_err());
        assert!("".parse::<Platform>().is_err());
    }
}
