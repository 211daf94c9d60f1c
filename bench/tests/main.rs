//! The crate's integration tests, built as one test binary: one scenario per module file,
//! shared set-ups in the directories beside them.

mod impair_common;

mod baseline_compare;
mod baseline_formats;
mod baseline_stream;
mod edge_ladder;
mod impair_config_file;
mod impair_large_messages;
mod impair_proxy_echo;
mod impair_proxy_encrypted;
mod impair_proxy_loss;
mod impair_tcp_link;
mod region_slopes;
mod scenario_config;
mod smoke;
mod storm_smoke;
