//! The crate's integration tests, built as one test binary: one scenario per module file,
//! shared set-ups in the directories beside them.

mod emulator_common;
mod golden_common;
mod quic_common;
mod transport_common;
mod udp_common;

mod budget_window;
mod emulator_config;
mod emulator_determinism;
mod emulator_duplication;
mod emulator_gilbert_elliott;
mod emulator_latency_jitter;
mod emulator_loss_rate;
mod emulator_rate_limit;
mod emulator_reorder;
mod garbage_peer;
mod quic_identity_rotation;
mod quic_idle_timeout;
mod quic_oversized_frame;
mod quic_pin_mismatch;
mod quic_round_trip;
mod state_machine_doc;
mod transport_counter_exhausted;
mod transport_disconnect_reasons;
mod transport_exactly_once;
mod transport_handshake_loss;
mod transport_idle_timeout;
mod transport_latency_target;
mod transport_replay;
mod transport_spoofed_flood;
mod transport_stale_datagram;
mod transport_tamper;
mod transport_thousand_sessions;
mod udp_close_code;
mod udp_dual_stack;
mod udp_golden_vectors;
mod udp_idle_cpu;
mod udp_idle_latency;
mod udp_receive_only;
mod udp_round_trip;
mod udp_wrong_key;
mod webtransport_round_trip;
