//! The peers harness's shared half (issue 15): the platform's recorded script, the truth it
//! replays, the loopback relay (counting and impairment), the replay driver each stack plugs
//! into, and the figures. See `bench/peers/README.md`.

pub mod alloc;
pub mod compare;
pub mod cpu;
pub mod driver;
pub mod relay;
pub mod report;
pub mod script;
pub mod stats;
pub mod truth;
