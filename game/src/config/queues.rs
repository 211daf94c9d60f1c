//! `[queues]`: the bounds of the queues between the region's tasks (the link readers, the
//! tick thread and the database worker). What happens when each is full is in game/README.md,
//! "Queues and limits".

use super::{ConfigError, check_range};
use serde::Deserialize;

/// `[queues]`: capacities of the region's internal queues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueueConfig {
    /// Link events (commands, links opened and closed) waiting for the tick (1024..=1048576,
    /// default 65536). When full, the link readers wait and stop reading their edges: QUIC's
    /// flow control pushes back, and the edges refuse their clients' commands.
    pub tick_inputs: usize,
    /// Joins and leaves waiting for the database worker (64..=1048576, default 4096). When
    /// full, the link readers wait as above.
    pub db_requests: usize,
    /// Periodic saves waiting for the database worker (1..=1024, default 16). When full, a
    /// save's units stay marked changed and go with the next save.
    pub db_writes: usize,
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self {
            tick_inputs: 65_536,
            db_requests: 4096,
            db_writes: 16,
        }
    }
}

impl QueueConfig {
    /// Check the ranges.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_range(
            "queues.tick_inputs",
            self.tick_inputs as u64,
            1024,
            1 << 20,
            "use e.g. 65536",
        )?;
        check_range(
            "queues.db_requests",
            self.db_requests as u64,
            64,
            1 << 20,
            "use e.g. 4096",
        )?;
        check_range(
            "queues.db_writes",
            self.db_writes as u64,
            1,
            1024,
            "use e.g. 16",
        )
    }
}
