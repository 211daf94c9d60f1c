//! The Starlane edge relay.
//!
//! Terminates client transports (encrypted UDP, QUIC and WebTransport, from
//! `starlane-netcore`), verifies each client's ES256 JWT, and relays every session over one
//! QUIC link to the region server (link protocol version 4, `protocol/LINK.md`). Keeps a
//! mirror of the entities its sessions can see and sends each client prioritized delta
//! packets under its bandwidth profile. Serves `/metrics`, `/healthz`, `/readyz` and
//! `/debug/sessions`.
//!
//! * [`config`]: [`EdgeConfig`] from TOML and environment.
//! * [`auth`]: JWT verification and the token blacklist; [`keys`]: the login service's key.
//! * [`dev_issuer`]: the development token issuer.
//! * [`session`]: the per-client session state machine, its driver, and the
//!   [`session::ProfileStore`] each session takes its bandwidth profile from.
//! * [`region_hub`]: the edge's side of the link ([`starlane_netcore::proto::link::EdgeLink`])
//!   with its bounded queues, routing to sessions and the entity mirror; [`region_link`]: the
//!   QUIC connection to the region (mutual TLS, reconnection) that netcore's link driver runs.
//! * [`sync`]: the entity [`sync::Mirror`] and per-client delta sync ([`sync::SessionSync`]:
//!   priority planner, acknowledged baselines, reliable events), run by every session.
//! * [`bandwidth`]: named bandwidth profiles, used by every session's delta sync (budget, send
//!   rate, priorities, quantization) and reloadable at run time.
//! * [`certs`]: the WebTransport certificate and its rotation; [`http`]: the HTTP endpoints;
//!   [`metrics`]: the Prometheus metrics.
//! * [`cluster`]: the edge in the cluster (`starlane-cluster`): registration, revocations,
//!   presence, broadcasts.
//! * [`edge`]: [`Edge::start`] putting it all together; [`signals`]: SIGHUP reloads the
//!   bandwidth profiles, SIGINT and SIGTERM stop (the edge and the all-in-one binaries).
//!
//! What each bounded queue does when full: `edge/README.md`, "Queues and limits".

pub mod admin;
pub mod auth;
pub mod bandwidth;
pub mod certs;
pub mod cluster;
pub mod config;
pub mod connect;
pub mod dev_issuer;
pub mod directory;
pub mod edge;
pub mod http;
pub mod jwt_ring;
pub mod keys;
pub mod metrics;
pub mod region_hub;
pub mod region_link;
pub mod resume;
pub mod session;
pub mod signals;
pub mod sync;

pub use config::EdgeConfig;
pub use dev_issuer::DevIssuer;
pub use edge::{Edge, EdgeHandle};
