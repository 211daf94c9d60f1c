//! Starlane region game server.
//!
//! * [`config`]: [`RegionConfig`] from TOML plus `STARLANE_REGION_*` environment overrides.
//! * [`map`]: the 7-chunk pocket map, disc and ring areas, spatial grid, A* pathfinding (the
//!   hex coordinate and its math are [`starlane_protocol::Hex`]).
//! * [`ecs`]: bevy_ecs components, plugins and the headless [`RegionSim`] (commands,
//!   simulation, vision, sync), stepped manually in tests.
//! * [`metrics`]: per-tick timing samples, region stats and the bench truth snapshot.
//! * [`persist`]: SQLite persistence of empires and units (sqlx).
//! * [`link`]: the QUIC edge-region link server (link protocol version 3, `protocol/LINK.md`:
//!   one [`starlane_netcore::proto::link::RegionLink`] per edge connection, driven by
//!   `starlane_netcore::link`), its TLS identity and trust of edges (mutual TLS: cluster CA or
//!   pins; development certificates come from `starlane_netcore::tls::pki`).
//! * [`Region::start`] / [`run`]: the running server (tick thread + tokio tasks), connected by
//!   bounded queues (`[queues]`, `link_queue`; what happens when each is full:
//!   `game/README.md`, "Queues and limits").

pub mod config;
pub mod ecs;
pub mod link;
pub mod map;
pub mod metrics;
pub mod persist;
mod runtime;
mod tick;

pub use config::{BenchConfig, ConfigError, LoadConfig, NpcPattern, RegionConfig};
pub use ecs::RegionSim;
pub use link::tls::client_config as link_client_config;
pub use metrics::{LinkRefusalsSnapshot, RefusalReason, RegionStats, TickSample, Truth};
pub use runtime::{Region, RegionError, RegionHandle, run};
