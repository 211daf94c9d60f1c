//! The crate's integration tests, built as one test binary: one scenario per module file,
//! shared set-ups in the directories beside them.

mod common;

mod hex_vectors;
mod link_vectors;
mod vectors;
