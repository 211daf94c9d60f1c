//! The crate's integration tests, built as one test binary: one scenario per module file,
//! shared set-ups in the directories beside them.

mod ai_empires;
mod cluster;
mod common;
mod edge_stand_in;
mod mtls;
mod ops_http;
mod region_process;

mod combat_attack_order;
mod combat_auto_fire;
mod combat_rejections;
mod combat_replay;
mod command_dedup_across_edges;
mod command_kind_limits;
mod economy_mining;
mod economy_production;
mod economy_region_restart;
mod economy_rejections;
mod economy_restore;
mod link;
mod link_db_queue_full;
mod link_edge_stops_reading;
mod link_mtls_ca;
mod link_mtls_no_client_cert;
mod link_mtls_other_ca;
mod link_mtls_pinned_accepted;
mod link_mtls_pinned_refused;
mod link_tick_queue_full;
mod link_tls_config_errors;
mod load;
mod region_cluster_expiry;
mod region_cluster_registration;
mod region_kill_restore;
mod region_metrics;
mod region_postgres_outage;
mod region_readyz;
mod restore_notice_window;
mod sim;
mod sync_changed;
mod sync_congestion;
mod sync_model;
mod sync_removed;
mod sync_union;
