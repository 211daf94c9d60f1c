//! Starlane region game server.
//!
//! * [`config`]: [`RegionConfig`] from TOML plus `STARLANE_REGION_*` environment overrides.
//! * [`map`]: the 7-chunk pocket map, disc and ring areas, spatial grid, A* pathfinding (the
//!   hex coordinate and its math are [`starlane_protocol::Hex`]).
//! * [`records`]: what is stored of a unit and what a player's empire resolves to.
//! * [`world`]: the domain: bevy_ecs components, one plugin per concern (commands,
//!   simulation, NPCs, vision, sync) and the headless [`RegionSim`], stepped manually in tests.
//! * [`metrics`]: per-tick timing samples, region stats and the bench truth snapshot.
//! * [`runtime`]: the glue that runs the world: the link server ([`runtime::link`]: link
//!   protocol version 4, `protocol/LINK.md`, one
//!   [`starlane_netcore::proto::link::RegionLink`] per edge connection driven by
//!   `starlane_netcore::link`, mutual TLS by cluster CA or pins), the database
//!   ([`runtime::persist`], SQLite via sqlx) and the tick loop, connected by bounded queues
//!   (`[queues]`, `link_queue`; what happens when each is full: `game/README.md`, "Queues and
//!   limits"); [`Region::start`] / [`run`] start it.

pub mod config;
pub mod map;
pub mod metrics;
pub mod records;
pub mod runtime;
pub mod world;

pub use config::{
    BenchConfig, ConfigError, EconomyConfig, LoadConfig, NpcPattern, RegionConfig,
    SharedVisionConfig, StealthConfig, VisionCacheConfig,
};
pub use metrics::{LinkRefusalsSnapshot, RefusalReason, RegionStats, TickSample, Truth};
pub use runtime::link::tls::client_config as link_client_config;
pub use runtime::{Region, RegionError, RegionHandle, TICK_THREAD, run};
pub use world::RegionSim;
pub use world::parallel::COMPUTE_THREAD;
