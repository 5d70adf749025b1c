//! The UniFFI surface (Python, Kotlin, Swift): thin wrappers over the core.
