//! The Starlane edge relay.
//!
//! Terminates client transports (encrypted UDP and WebTransport, from `starlane-netcore`),
//! verifies each client's ES256 JWT, and relays the session over a QUIC link to the region
//! server. Serves `/metrics`, `/healthz` and `/readyz`.
//!
//! * [`config`]: [`EdgeConfig`] from TOML and environment.
//! * [`auth`]: JWT verification and the token blacklist; [`keys`]: the login service's key.
//! * [`dev_issuer`]: the development token issuer.
//! * [`session`]: the per-client session state machine and its driver.
//! * [`region_hub`], [`region_link`]: routing to and the QUIC link with the region server.
//! * [`edge`]: [`Edge::start`] putting it all together.
//! * [`bandwidth`]: named bandwidth profiles (each session gets one; packing does not use them yet).
//! * [`sync`]: the priority planner and per-client acknowledged baselines (not yet wired in).

pub mod auth;
pub mod bandwidth;
pub mod certs;
pub mod config;
pub mod dev_issuer;
pub mod edge;
pub mod http;
pub mod keys;
pub mod metrics;
pub mod region_hub;
pub mod region_link;
pub mod session;
pub mod sync;

pub use config::EdgeConfig;
pub use dev_issuer::DevIssuer;
pub use edge::{Edge, EdgeHandle};
