//! `psd_version`: which library the program loaded.

use super::boundary::catch_panic;
use super::text::psd_str;

/// The library's version (`"0.1.0"`, the crate's version from `Cargo.toml`), the same string
/// every binding reports. The view points to static storage: valid forever, never freed.
///
/// Thread safety: may be called from any thread at any time.
#[no_mangle]
pub extern "C" fn psd_version() -> psd_str {
    catch_panic(psd_str::ABSENT, || {
        psd_str::borrow(env!("CARGO_PKG_VERSION"))
    })
}
