//! The crate's integration tests, built as one test binary: one scenario per module file,
//! shared set-ups in the directories beside them.

mod common;

mod dev_second_edge;
mod drain_moves_native_client;
mod drain_readyz;
mod drain_refuses_hellos;
mod drain_window_closes;
mod failover_kill9;
mod local_link_mtls;
mod native_battle;
mod native_play;
mod native_play_quic;
mod native_play_websocket;
mod native_production;
mod native_rejections;
mod native_shared_vision;
mod region_restart_keeps_session;
mod signals;
mod udp_flood;
