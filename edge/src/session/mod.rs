//! Client sessions: a sans-IO [`SessionCore`] per link and its async driver.

mod core;
mod driver;

pub use self::core::{Action, SessionCore};
pub use driver::{SessionContext, run_session};
