//! Client sessions: a sans-IO [`SessionCore`] per link, its async driver, and the
//! [`ProfileStore`] sessions take their bandwidth profile from.

mod core;
mod driver;
mod meter;
mod profiles;

pub use self::core::{Action, SessionCore};
pub use driver::{SessionContext, run_session};
pub use profiles::{ProfileStore, class_of};
