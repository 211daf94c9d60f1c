//! Benchmarks of the platform: the scenario runner, the impairment proxy, and the encoding
//! baselines (the JSON of seed 004 and MessagePack) that the platform's format is compared to.

pub mod baseline;
pub mod impair;
pub mod scenario;
