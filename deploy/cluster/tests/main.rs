//! The crate's integration tests against a real Redis (deploy/testbed): one scenario per
//! module file.

mod common;

mod presence;
mod redis_restart;
mod registry;
mod revocation_sync;
