//! `psd_platform`: the eight platforms as stable integer codes, and their wire names.

use std::ffi::c_char;

use super::boundary::{ffi_boundary, Out};
use super::result::psd_result;
use super::text::{psd_str, str_arg};
use crate::platform::Platform;

/// A platform code: one of the `PSD_PLATFORM_*` values. A plain integer (not a C enum) so
/// that any value a caller passes is checked, never trusted.
pub type psd_platform = u32;

/// No platform: "do not check the platform" where an expected platform is optional.
pub const PSD_PLATFORM_NONE: psd_platform = 0;
/// TikTok (`tiktok`).
pub const PSD_PLATFORM_TIKTOK: psd_platform = 1;
/// Instagram (`instagram`).
pub const PSD_PLATFORM_INSTAGRAM: psd_platform = 2;
/// X, formerly Twitter (`twitter`).
pub const PSD_PLATFORM_TWITTER: psd_platform = 3;
/// LinkedIn (`linkedin`).
pub const PSD_PLATFORM_LINKEDIN: psd_platform = 4;
/// YouTube (`youtube`).
pub const PSD_PLATFORM_YOUTUBE: psd_platform = 5;
/// Facebook (`facebook`).
pub const PSD_PLATFORM_FACEBOOK: psd_platform = 6;
/// Pinterest (`pinterest`).
pub const PSD_PLATFORM_PINTEREST: psd_platform = 7;
/// Threads (`threads`).
pub const PSD_PLATFORM_THREADS: psd_platform = 8;

pub(crate) fn platform_code(platform: Platform) -> psd_platform {
    match platform {
        Platform::Tiktok => PSD_PLATFORM_TIKTOK,
        Platform::Instagram => PSD_PLATFORM_INSTAGRAM,
        Platform::Twitter => PSD_PLATFORM_TWITTER,
        Platform::Linkedin => PSD_PLATFORM_LINKEDIN,
        Platform::Youtube => PSD_PLATFORM_YOUTUBE,
        Platform::Facebook => PSD_PLATFORM_FACEBOOK,
        Platform::Pinterest => PSD_PLATFORM_PINTEREST,
        Platform::Threads => PSD_PLATFORM_THREADS,
    }
}

/// The platform for a code: `None` for `PSD_PLATFORM_NONE`, `InvalidPlatform` for a value
/// that is no code.
pub(crate) fn optional_platform_arg(code: psd_platform) -> Result<Option<Platform>, psd_result> {
    if code == PSD_PLATFORM_NONE {
        return Ok(None);
    }
    Platform::ALL
        .into_iter()
        .find(|p| platform_code(*p) == code)
        .map(Some)
        .ok_or(psd_result::InvalidPlatform)
}

/// The platform for a code where one is required: `PSD_PLATFORM_NONE` is `InvalidPlatform`.
pub(crate) fn platform_arg(code: psd_platform) -> Result<Platform, psd_result> {
    optional_platform_arg(code)?.ok_or(psd_result::InvalidPlatform)
}

/// Writes the wire name of `platform` (`tiktok`, …, `twitter` for X) to `*name_out`, a view
/// of static storage (valid forever, never freed).
///
/// Errors: `PSD_RESULT_INVALID_PLATFORM` (also for `PSD_PLATFORM_NONE`),
/// `PSD_RESULT_NULL_PARAMETER`. Thread safety: callable from any thread.
///
/// # Safety
/// `name_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_platform_wire_name(
    platform: psd_platform,
    name_out: *mut psd_str,
) -> psd_result {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract.
        let name_out = unsafe { Out::required(name_out)? };
        name_out.write(psd_str::borrow(platform_arg(platform)?.as_str()));
        Ok(())
    })
}

/// Writes the code of the platform whose wire name is the `name_len` bytes at `name`
/// (exact match: `tiktok`, not `TikTok`; `twitter`, not `x`) to `*platform_out`.
///
/// Errors: `PSD_RESULT_INVALID_PLATFORM` for any other name, `PSD_RESULT_INVALID_UTF8`,
/// `PSD_RESULT_NULL_PARAMETER`. Thread safety: callable from any thread.
///
/// # Safety
/// `name` is NULL or points to `name_len` readable bytes; `platform_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_platform_from_wire_name(
    name: *const c_char,
    name_len: usize,
    platform_out: *mut psd_platform,
) -> psd_result {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract.
        let (name, platform_out) =
            unsafe { (str_arg(name, name_len)?, Out::required(platform_out)?) };
        let platform = Platform::from_wire(name).ok_or(psd_result::InvalidPlatform)?;
        platform_out.write(platform_code(platform));
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_distinct() {
        for platform in Platform::ALL {
            assert_eq!(platform_arg(platform_code(platform)), Ok(platform));
        }
        assert_eq!(optional_platform_arg(PSD_PLATFORM_NONE), Ok(None));
        assert_eq!(
            platform_arg(PSD_PLATFORM_NONE),
            Err(psd_result::InvalidPlatform)
        );
        assert_eq!(platform_arg(9), Err(psd_result::InvalidPlatform));
    }

    #[test]
    fn wire_names_through_the_c_functions() {
        let mut name = psd_str::ABSENT;
        let mut code = PSD_PLATFORM_NONE;
        for platform in Platform::ALL {
            unsafe {
                assert_eq!(
                    psd_platform_wire_name(platform_code(platform), &mut name),
                    psd_result::Ok
                );
                assert_eq!(
                    psd_platform_from_wire_name(name.data, name.len, &mut code),
                    psd_result::Ok
                );
            }
            assert_eq!(code, platform_code(platform));
        }
        code = PSD_PLATFORM_NONE;
        unsafe {
            assert_eq!(
                psd_platform_wire_name(PSD_PLATFORM_NONE, &mut name),
                psd_result::InvalidPlatform
            );
            assert_eq!(
                psd_platform_wire_name(PSD_PLATFORM_TIKTOK, std::ptr::null_mut()),
                psd_result::NullParameter
            );
            for (bytes, expected) in [
                (&b"TikTok"[..], psd_result::InvalidPlatform),
                (&b"x"[..], psd_result::InvalidPlatform),
                (&b"tiktok\0"[..], psd_result::InvalidPlatform),
                (&b"\xff"[..], psd_result::InvalidUtf8),
                (&b""[..], psd_result::InvalidPlatform),
            ] {
                assert_eq!(
                    psd_platform_from_wire_name(bytes.as_ptr().cast(), bytes.len(), &mut code),
                    expected
                );
            }
            assert_eq!(
                psd_platform_from_wire_name(std::ptr::null(), 6, &mut code),
                psd_result::NullParameter
            );
            assert_eq!(
                psd_platform_from_wire_name(b"tiktok".as_ptr().cast(), 6, std::ptr::null_mut()),
                psd_result::NullParameter
            );
        }
        assert_eq!(code, PSD_PLATFORM_NONE, "written only on success");
    }
}
