//! `cargo run -p uniffi-bindgen -- generate --library <cdylib> --language <lang> --out-dir <dir>`:
//! the generator pinned to the exact UniFFI version the core is built with.
fn main() {
    uniffi::uniffi_bindgen_main()
}
