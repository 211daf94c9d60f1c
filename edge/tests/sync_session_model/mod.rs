//! Shared model for the `sync_session_*` tests: a deterministic region producing
//! `EntityFrame`s and `ViewChange`s for one session (`region.rs`), a client built on the native
//! `DeltaReceiver`, and a harness joining them to a `SessionSync` through two netcore emulators
//! in simulated time, 1 ms steps (`harness.rs`).
#![allow(dead_code, clippy::unwrap_used)]

mod harness;
mod region;

pub use harness::*;
pub use region::*;
