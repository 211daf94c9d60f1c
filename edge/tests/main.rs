//! The crate's integration tests, built as one test binary: one scenario per module file,
//! shared set-ups in the directories beside them.

mod common;
mod link_pki;
mod sync_session_model;

mod auth;
mod bandwidth_profiles;
mod client_stops_reading;
mod config;
mod config_quic;
mod config_transport_queues;
mod debug_sessions;
mod edge;
mod keys;
mod link_metrics;
mod link_metrics_monotonic;
mod profile_user_types;
mod profiles_wiring;
mod region_hub_backpressure;
mod region_hub_held_sessions;
mod region_link_config_errors;
mod region_link_mtls_ca;
mod region_link_pinned;
mod region_link_queue_full;
mod region_link_reannounce;
mod region_link_refuses_other_ca;
mod region_stalls;
mod session;
mod session_link_lost_answers;
mod session_unacked_events;
mod sync_baseline;
mod sync_priority;
mod sync_session_budget;
mod sync_session_convergence;
mod sync_session_edge_cases;
mod sync_session_events;
mod sync_session_frame_aligned;
mod sync_session_move_back;
mod sync_session_own_units;
mod sync_session_staleness;
mod udp_drop_metrics;
