//! Starlane region game server.
//!
//! * [`config`]: [`RegionConfig`] from TOML plus `STARLANE_REGION_*` environment overrides.
//! * [`map`]: axial hex math, the 7-chunk pocket map, spatial grid, A* pathfinding.
//! * [`records`]: what is stored of a unit and what a player's empire resolves to.
//! * [`world`]: the domain: bevy_ecs components, one plugin per concern (commands,
//!   simulation, NPCs, vision, sync) and the headless [`RegionSim`], stepped manually in tests.
//! * [`metrics`]: per-tick timing samples, region stats and the bench truth snapshot.
//! * [`runtime`]: the glue that runs the world: the link server ([`runtime::link`], the
//!   sans-IO link core of `starlane_netcore` over QUIC with mutual TLS), the database
//!   ([`runtime::persist`], SQLite via sqlx) and the tick loop, connected by bounded queues;
//!   [`Region::start`] / [`run`] start it.

pub mod config;
pub mod map;
pub mod metrics;
pub mod records;
pub mod runtime;
pub mod world;

pub use config::{BenchConfig, ConfigError, LoadConfig, NpcPattern, RegionConfig};
pub use metrics::{LinkRefusalsSnapshot, RefusalReason, RegionStats, TickSample, Truth};
pub use runtime::link::tls::client_config as link_client_config;
pub use runtime::{Region, RegionError, RegionHandle, run};
pub use world::RegionSim;
