//! The checks at every C entry point: the panic boundary, pointer arguments, out-parameters
//! and freeing boxed objects.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::NonNull;

use super::result::psd_result;

/// Runs `body`; a panic inside it yields `on_panic` instead of unwinding into C.
///
/// `AssertUnwindSafe` is sound here: the objects handed to C are immutable after creation,
/// so a panic cannot leave one half-updated.
pub(crate) fn catch_panic<T>(on_panic: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(on_panic)
}

/// The body of every entry point that returns a `psd_result`.
pub(crate) fn ffi_boundary(body: impl FnOnce() -> Result<(), psd_result>) -> psd_result {
    catch_panic(psd_result::Panic, || match body() {
        Ok(()) => psd_result::Ok,
        Err(code) => code,
    })
}

/// `*ptr` as a reference, or `NullParameter`.
///
/// # Safety
/// `ptr` is NULL or points to a live `T` that stays valid and unchanged for `'a`.
pub(crate) unsafe fn ref_arg<'a, T>(ptr: *const T) -> Result<&'a T, psd_result> {
    // SAFETY: the caller guarantees `ptr` is NULL or valid for reads during 'a.
    unsafe { ptr.as_ref() }.ok_or(psd_result::NullParameter)
}

/// The `count` elements at `ptr`; `(NULL, 0)` is the empty slice.
///
/// # Safety
/// `ptr` is NULL or points to `count` initialized `T` that stay valid for `'a`.
pub(crate) unsafe fn slice_arg<'a, T>(ptr: *const T, count: usize) -> Result<&'a [T], psd_result> {
    match (ptr.is_null(), count) {
        (true, 0) => Ok(&[]),
        (true, _) => Err(psd_result::NullParameter),
        // SAFETY: the caller guarantees `count` valid elements at a non-NULL `ptr`.
        (false, _) => Ok(unsafe { std::slice::from_raw_parts(ptr, count) }),
    }
}

/// An out-parameter checked for NULL before any work is done, written at most once.
pub(crate) struct Out<T>(NonNull<T>);

impl<T> Out<T> {
    /// A required out-parameter: NULL is `NullParameter`.
    ///
    /// # Safety
    /// `ptr` is NULL or valid for a write of `T` until the entry point returns.
    pub(crate) unsafe fn required(ptr: *mut T) -> Result<Out<T>, psd_result> {
        NonNull::new(ptr).map(Out).ok_or(psd_result::NullParameter)
    }

    /// An optional out-parameter: NULL means the caller does not want the value.
    ///
    /// # Safety
    /// As for [`Out::required`].
    pub(crate) unsafe fn optional(ptr: *mut T) -> Option<Out<T>> {
        NonNull::new(ptr).map(Out)
    }

    /// Writes the value (without reading or dropping what was there before).
    pub(crate) fn write(self, value: T) {
        // SAFETY: the constructor's caller guaranteed the pointer is valid for writes.
        unsafe { self.0.as_ptr().write(value) }
    }
}

/// Moves `value` to the heap and hands ownership to C.
pub(crate) fn into_c<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// Hands the outcome of a core call to C: the value to `out` on success; on failure the
/// error object to `error_out` (when the caller asked for it) and its code as the result.
pub(crate) fn deliver<T, E>(
    outcome: Result<T, (psd_result, E)>,
    out: Out<*mut T>,
    error_out: Option<Out<*mut E>>,
) -> Result<(), psd_result> {
    match outcome {
        Ok(value) => {
            out.write(into_c(value));
            Ok(())
        }
        Err((code, error)) => {
            if let Some(error_out) = error_out {
                error_out.write(into_c(error));
            }
            Err(code)
        }
    }
}

/// Takes back and drops an object made by [`into_c`]; NULL is ignored. Panics while
/// dropping are swallowed: a free function has no way to report them.
///
/// # Safety
/// `ptr` is NULL or came from [`into_c`] with the same `T` and was not freed before.
pub(crate) unsafe fn free_from_c<T>(ptr: *mut T) {
    catch_panic((), || {
        if !ptr.is_null() {
            // SAFETY: the caller guarantees `ptr` is an unfreed `Box<T>` from `into_c`.
            drop(unsafe { Box::from_raw(ptr) });
        }
    })
}

/// A getter: checks both pointers, then writes `read(object)` to `out`.
///
/// # Safety
/// As for [`ref_arg`] (`object`) and [`Out::required`] (`out`).
pub(crate) unsafe fn get<O, T>(
    object: *const O,
    out: *mut T,
    read: impl FnOnce(&O) -> T,
) -> psd_result {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract.
        let (object, out) = unsafe { (ref_arg(object)?, Out::required(out)?) };
        out.write(read(object));
        Ok(())
    })
}

/// Test-only: panics inside the library and returns what the panic boundary makes of it,
/// `PSD_RESULT_PANIC`, so that a caller's tests can prove that a panic comes back as an
/// error while the process lives on. Exists only in builds with the `test-panic` feature
/// (the test scripts' builds), never in release artifacts: it is declared only when
/// `PSD_TEST_PANIC` is defined before this header is included.
///
/// Thread safety: callable from any thread.
#[cfg(feature = "test-panic")]
#[no_mangle]
#[allow(clippy::panic)] // the whole point
pub extern "C" fn psd_test_panic() -> psd_result {
    ffi_boundary(|| panic!("psd_test_panic: a deliberate panic (test-panic feature)"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn a_panic_becomes_the_panic_code() {
        assert_eq!(ffi_boundary(|| panic!("boom")), psd_result::Panic);
        assert_eq!(
            ffi_boundary(|| Err(psd_result::BadSignature)),
            psd_result::BadSignature
        );
        assert_eq!(ffi_boundary(|| Ok(())), psd_result::Ok);
    }

    #[cfg(feature = "test-panic")]
    #[test]
    fn psd_test_panic_returns_the_panic_code_and_nothing_is_poisoned() {
        assert_eq!(psd_test_panic(), psd_result::Panic);
        assert_eq!(psd_test_panic(), psd_result::Panic);
        assert_eq!(ffi_boundary(|| Ok(())), psd_result::Ok);
    }

    #[test]
    fn free_from_c_takes_back_what_into_c_gave() {
        let boxed = into_c(String::from("owned by C until freed"));
        assert_eq!(unsafe { &*boxed }, "owned by C until freed");
        unsafe { free_from_c(boxed) };
        unsafe { free_from_c(std::ptr::null_mut::<String>()) };
    }

    #[test]
    fn deliver_writes_one_output_only() {
        let (mut value, mut error) = (std::ptr::null_mut::<u8>(), std::ptr::null_mut::<u16>());
        let ok: Result<u8, (psd_result, u16)> = Ok(7);
        unsafe {
            let outcome = deliver(
                ok,
                Out::required(&mut value).unwrap(),
                Out::optional(&mut error),
            );
            assert_eq!(outcome, Ok(()));
            assert!(error.is_null());
            assert_eq!(*value, 7);
            free_from_c(value);
        }
        let (mut value, mut error) = (std::ptr::null_mut::<u8>(), std::ptr::null_mut::<u16>());
        let failed: Result<u8, (psd_result, u16)> = Err((psd_result::Expired, 9));
        unsafe {
            let outcome = deliver(
                failed,
                Out::required(&mut value).unwrap(),
                Out::optional(&mut error),
            );
            assert_eq!(outcome, Err(psd_result::Expired));
            assert!(value.is_null());
            assert_eq!(*error, 9);
            free_from_c(error);
        }
    }

    #[test]
    fn null_arguments_are_refused() {
        let mut out = 0_i64;
        assert_eq!(
            unsafe { get(std::ptr::null::<i64>(), &mut out, |v| *v) },
            psd_result::NullParameter
        );
        assert_eq!(
            unsafe { get(&5_i64, std::ptr::null_mut(), |v| *v) },
            psd_result::NullParameter
        );
        assert_eq!(unsafe { get(&5_i64, &mut out, |v| *v) }, psd_result::Ok);
        assert_eq!(out, 5);
        assert_eq!(
            unsafe { slice_arg(std::ptr::null::<u8>(), 3) },
            Err(psd_result::NullParameter)
        );
    }
}
