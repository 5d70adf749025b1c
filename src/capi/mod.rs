//! The C API (`include/postsyncer_delegation.h`): thin wrappers over the core.
