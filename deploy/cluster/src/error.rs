//! Errors of cluster operations.

/// Why a cluster operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// A configuration field is wrong; the message names it and the fix.
    #[error("cluster config: {0}")]
    Config(String),
    /// Redis refused the command or could not be reached in time.
    #[error("redis {op} failed: {source}")]
    Redis {
        op: &'static str,
        #[source]
        source: fred::error::Error,
    },
    /// A stored record did not decode (written by another version, or damaged).
    #[error("cluster record {key} is not valid: {detail}")]
    BadRecord { key: String, detail: String },
}

impl ClusterError {
    pub(crate) fn redis(op: &'static str) -> impl FnOnce(fred::error::Error) -> Self {
        move |source| Self::Redis { op, source }
    }
}
