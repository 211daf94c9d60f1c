//! Native Starlane client: a library, the `starlane-client` CLI and a headless bot swarm,
//! over encrypted UDP (default), QUIC or WebTransport ([`Transport`], [`Client::connect_via`]).
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! let info = starlane_client::ConnectInfo::fetch("http://127.0.0.1:8080").await?;
//! let token = starlane_client::fetch_dev_token("http://127.0.0.1:8080", "ada").await?;
//! let mut client = starlane_client::Client::connect(&info, &token).await?;
//! while let Some(event) = client.next_event().await {
//!     println!("{event:?}");
//! }
//! # Ok(()) }
//! ```

pub mod assembler;
pub mod bots;
pub mod bots_economy;
pub mod bots_social;
pub mod client;
pub mod delta;
pub mod http;
mod resume;
pub mod social;
pub mod stats;
pub mod transport;
pub mod world;

pub use client::{Client, ClientError, ClientEvent, StaticKind};
pub use http::{ConnectInfo, fetch_dev_token};
pub use resume::{LINK_IDLE_TIMEOUT, QUIC_LIVENESS};
pub use stats::format_link_stats;
pub use transport::{Transport, UnknownTransport};
pub use world::WorldView;
