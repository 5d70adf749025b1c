//! Strings across the boundary: `psd_str` views, owned `psd_string`s, and string arguments.

use std::ffi::c_char;
use std::ptr;

use super::boundary::{free_from_c, get, slice_arg};
use super::result::psd_result;

/// A UTF-8 string that this library lends: `len` bytes at `data`, NOT NUL-terminated.
///
/// A view is borrowed from the object it was read from and is valid until that object is
/// freed; never free a view. A view of an absent value has `data == NULL` and `len == 0`
/// (an empty but present value has a non-NULL `data`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct psd_str {
    /// The first byte, or NULL for an absent value.
    pub data: *const c_char,
    /// The number of bytes.
    pub len: usize,
}

impl psd_str {
    /// The view of an absent value.
    pub(crate) const ABSENT: psd_str = psd_str {
        data: ptr::null(),
        len: 0,
    };

    /// A view of `text`; the caller keeps `text` alive as long as the view is used.
    pub(crate) fn borrow(text: &str) -> psd_str {
        psd_str {
            data: text.as_ptr().cast(),
            len: text.len(),
        }
    }

    /// A view of `text`, or [`psd_str::ABSENT`].
    pub(crate) fn borrow_optional(text: Option<&str>) -> psd_str {
        text.map_or(psd_str::ABSENT, psd_str::borrow)
    }

    /// The viewed text, checked as UTF-8.
    ///
    /// # Safety
    /// As for [`str_arg`].
    pub(crate) unsafe fn as_str<'a>(&self) -> Result<&'a str, psd_result> {
        // SAFETY: forwarded from this function's contract.
        unsafe { str_arg(self.data, self.len) }
    }
}

/// The string of `len` bytes at `data`, checked as UTF-8; `(NULL, 0)` is the empty string.
///
/// # Safety
/// `data` is NULL or points to `len` readable bytes that stay unchanged for `'a`.
pub(crate) unsafe fn str_arg<'a>(data: *const c_char, len: usize) -> Result<&'a str, psd_result> {
    // SAFETY: forwarded from this function's contract.
    let bytes = unsafe { slice_arg(data.cast::<u8>(), len)? };
    std::str::from_utf8(bytes).map_err(|_| psd_result::InvalidUtf8)
}

/// Like [`str_arg`], except that a NULL `data` means "absent" (whatever `len` is).
///
/// # Safety
/// As for [`str_arg`].
pub(crate) unsafe fn optional_str_arg<'a>(
    data: *const c_char,
    len: usize,
) -> Result<Option<&'a str>, psd_result> {
    if data.is_null() {
        return Ok(None);
    }
    // SAFETY: forwarded from this function's contract.
    unsafe { str_arg(data, len) }.map(Some)
}

/// A string that this library allocated and the caller owns: read it with
/// `psd_string_view`, release it with `psd_string_free`.
#[derive(Debug)]
pub struct psd_string(pub(crate) String);

/// Writes a view of `string` to `*view_out`. The view is valid until
/// `psd_string_free(string)`.
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`. Thread safety: a `psd_string` is immutable; it may
/// be read from any number of threads at once.
///
/// # Safety
/// `string` is NULL or a live `psd_string`; `view_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_string_view(
    string: *const psd_string,
    view_out: *mut psd_str,
) -> psd_result {
    // SAFETY: forwarded from this function's contract.
    unsafe { get(string, view_out, |s| psd_str::borrow(&s.0)) }
}

/// Frees a `psd_string`. NULL is ignored. Views of it become invalid.
///
/// Thread safety: call it once, when no other thread uses the string.
///
/// # Safety
/// `string` is NULL or a `psd_string` from this library that was not freed before.
#[no_mangle]
pub unsafe extern "C" fn psd_string_free(string: *mut psd_string) {
    // SAFETY: forwarded from this function's contract.
    unsafe { free_from_c(string) }
}
