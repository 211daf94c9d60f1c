//! Integration tests of the cluster launcher: one binary, one scenario per module.

mod common;

mod cluster_chat_across_regions;
mod cluster_friends_across_regions;
mod cluster_survives_drain_kill_and_restart;
mod monitoring_names;
