//! Client sessions: a sans-IO [`SessionCore`] per link, its async driver, and the
//! [`ProfileStore`] sessions take their bandwidth profile from.

mod core;
mod driver;
mod meter;
mod profile_watch;
mod profiles;
mod relink;

pub use self::core::{Action, DEFAULT_MAX_TOKEN_BYTES, DEFAULT_REGION_GRACE, SessionCore};
pub use driver::{SessionContext, run_session};
pub use profile_watch::{DirFingerprint, spawn_profile_watch};
pub use profiles::{ProfileStore, class_of};
