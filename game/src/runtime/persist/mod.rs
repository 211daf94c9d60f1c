//! The region's store with sqlx: SQLite embedded, PostgreSQL in production, one schema
//! (`game/migrations`, applied with `sqlx::migrate!` on open) and one API over both.
//!
//! The API holds an enum over the two pools rather than `sqlx::Any`: each call is written
//! once (the [`on_pool!`] macro expands its body for each pool type), binds native types on
//! each backend, and `$N` placeholders work on both. Every call is timed and its errors
//! counted by operation ([`DbMetrics`]). Calls are async and run on the tokio runtime, never
//! on the tick thread.

mod economy;
mod friends;
mod join_batch;
mod mail;
mod players;
mod snapshot;
mod social;
#[cfg(test)]
mod tests;
mod vision;

use crate::config::Backend;
use crate::metrics::{DbMetrics, DbOp};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use std::str::FromStr;
use std::time::Duration;

pub use crate::config::HomePolicy;
pub use snapshot::SnapshotInfo;

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened or migrated.
    #[error("cannot open database {url}: {source}")]
    Open { url: String, source: sqlx::Error },
    /// The URL names no supported database.
    #[error("database url {0:?} is neither sqlite: nor postgres://")]
    Scheme(String),
    /// The schema could not be brought up to date.
    #[error("cannot migrate database {url}: {source}")]
    Migrate {
        url: String,
        source: sqlx::migrate::MigrateError,
    },
    /// A query failed.
    #[error("database query failed: {0}")]
    Query(#[from] sqlx::Error),
    /// A stored value is out of range (a corrupt or foreign database).
    #[error("stored {what} has invalid value {value}")]
    Corrupt { what: &'static str, value: i64 },
    /// A batch of joins failed; each of its joins carries the error's text.
    #[error("joining with others: {0}")]
    Batch(String),
}

/// Pool settings of [`Store::open`].
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Most connections.
    pub pool_size: u32,
    /// How long a call waits for a connection.
    pub acquire_timeout: Duration,
    /// How home regions of new players are chosen.
    pub home_policy: HomePolicy,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            pool_size: 4,
            acquire_timeout: Duration::from_secs(5),
            home_policy: HomePolicy::FirstJoin,
        }
    }
}

/// The two pools.
#[derive(Debug, Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Run `$body` with `$p` bound to the pool, whichever backend it is (the body is compiled
/// once per backend).
macro_rules! on_pool {
    ($store:expr, $p:ident => $body:expr) => {
        match &$store.pool {
            Pool::Sqlite($p) => $body,
            Pool::Postgres($p) => $body,
        }
    };
}
pub(crate) use on_pool;

/// The region's database. Cheap to clone (the pool is shared).
#[derive(Debug, Clone)]
pub struct Store {
    pool: Pool,
    metrics: DbMetrics,
    home_policy: HomePolicy,
    /// Joins answered before, shared by the clones.
    joined: std::sync::Arc<players::Joined>,
    /// Empires per spawn point, per region, shared by the clones.
    spawns: std::sync::Arc<players::SpawnCounts>,
}

/// The schema, the same for both backends.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

impl Store {
    /// Open (creating a SQLite file if missing) the database at `url` and migrate it; its
    /// calls are measured in series of its own.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        Self::open_with(url, StoreOptions::default(), DbMetrics::unregistered()).await
    }

    /// [`Store::open`] with pool settings, measuring the opening and every later call in
    /// `metrics`.
    pub async fn open_with(
        url: &str,
        options: StoreOptions,
        metrics: DbMetrics,
    ) -> Result<Self, StoreError> {
        let pool = metrics
            .time(DbOp::Open, Self::connect(url, &options))
            .await?;
        Ok(Self {
            pool,
            metrics,
            home_policy: options.home_policy,
            joined: Default::default(),
            spawns: Default::default(),
        })
    }

    async fn connect(url: &str, options: &StoreOptions) -> Result<Pool, StoreError> {
        let open_err = |source| StoreError::Open {
            url: url.to_owned(),
            source,
        };
        let pool = match Backend::of(url) {
            Some(Backend::Sqlite) => {
                let opts = SqliteConnectOptions::from_str(url)
                    .map_err(open_err)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .busy_timeout(options.acquire_timeout);
                let pool = SqlitePoolOptions::new()
                    .max_connections(options.pool_size.max(1))
                    .acquire_timeout(options.acquire_timeout)
                    .connect_with(opts)
                    .await
                    .map_err(open_err)?;
                Pool::Sqlite(pool)
            }
            Some(Backend::Postgres) => {
                let opts = PgConnectOptions::from_str(url).map_err(open_err)?;
                let pool = PgPoolOptions::new()
                    .max_connections(options.pool_size.max(1))
                    .acquire_timeout(options.acquire_timeout)
                    .connect_with(opts)
                    .await
                    .map_err(open_err)?;
                Pool::Postgres(pool)
            }
            None => return Err(StoreError::Scheme(url.to_owned())),
        };
        let migrate_err = |source| StoreError::Migrate {
            url: url.to_owned(),
            source,
        };
        match &pool {
            Pool::Sqlite(p) => MIGRATOR.run(p).await.map_err(migrate_err)?,
            Pool::Postgres(p) => MIGRATOR.run(p).await.map_err(migrate_err)?,
        }
        Ok(pool)
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// A cheap round trip (`SELECT 1`), for the readiness probe.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let call = async {
            on_pool!(self, p => sqlx::query("SELECT 1").execute(p).await.map(|_| ()))?;
            Ok(())
        };
        self.metrics.time(DbOp::Ping, call).await
    }

    /// Close the pool (waits for connections to finish).
    pub async fn close(&self) {
        on_pool!(self, p => p.close().await)
    }
}

/// A stored integer as `T`, or [`StoreError::Corrupt`] naming `what`.
fn narrow<T: TryFrom<i64>>(what: &'static str, value: i64) -> Result<T, StoreError> {
    T::try_from(value).map_err(|_| StoreError::Corrupt { what, value })
}

/// Now in Unix seconds.
fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
