//! Persistence with sqlx (SQLite): empires (one per user) and unit positions.
//!
//! Tables are created at start with plain SQL. All calls are async and run on the tokio
//! runtime, never on the tick thread.

use sqlx::Row;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use starlane_protocol::link::PlayerIdentity;
use starlane_protocol::{EntityKind, Hex};
use std::str::FromStr;

use crate::metrics::{DbMetrics, DbOp};
use crate::records::{EmpireRecord, UnitRecord};

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened or its tables created.
    #[error("cannot open database {url}: {source}")]
    Open { url: String, source: sqlx::Error },
    /// A query failed.
    #[error("database query failed: {0}")]
    Query(#[from] sqlx::Error),
    /// A stored value is out of range (a corrupt or foreign database).
    #[error("stored {what} has invalid value {value}")]
    Corrupt { what: &'static str, value: i64 },
}

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS empires (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        user_id INTEGER NOT NULL UNIQUE,
        username TEXT NOT NULL,
        spawn INTEGER NOT NULL,
        created_at INTEGER NOT NULL DEFAULT (unixepoch())
    )",
    "CREATE TABLE IF NOT EXISTS units (
        id INTEGER PRIMARY KEY,
        empire INTEGER NOT NULL,
        kind INTEGER NOT NULL,
        q INTEGER NOT NULL,
        r INTEGER NOT NULL,
        health INTEGER NOT NULL
    )",
    "CREATE INDEX IF NOT EXISTS units_empire ON units (empire)",
];

/// The region's database. Every call is timed and its errors counted by operation
/// ([`DbMetrics`]).
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    metrics: DbMetrics,
}

impl Store {
    /// Open (creating if missing) the database at `url` and create the tables; its calls are
    /// measured in series of its own.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        Self::open_measured(url, DbMetrics::unregistered()).await
    }

    /// [`Store::open`], measuring the opening and every later call in `metrics`.
    pub async fn open_measured(url: &str, metrics: DbMetrics) -> Result<Self, StoreError> {
        let pool = metrics.time(DbOp::Open, Self::connect(url)).await?;
        Ok(Self { pool, metrics })
    }

    async fn connect(url: &str) -> Result<SqlitePool, StoreError> {
        let open_err = |source| StoreError::Open {
            url: url.to_owned(),
            source,
        };
        let opts = SqliteConnectOptions::from_str(url)
            .map_err(open_err)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal);
        let pool = SqlitePoolOptions::new()
            .max_connections(2)
            .connect_with(opts)
            .await
            .map_err(open_err)?;
        for stmt in SCHEMA {
            sqlx::query(*stmt).execute(&pool).await.map_err(open_err)?;
        }
        Ok(pool)
    }

    /// The empire of `player`, created (with the least used of `spawn_count` spawn points)
    /// if the user has none. The username is refreshed.
    pub async fn empire_for(
        &self,
        player: &PlayerIdentity,
        spawn_count: u32,
    ) -> Result<EmpireRecord, StoreError> {
        let call = self.find_or_create_empire(player, spawn_count);
        self.metrics.time(DbOp::EmpireFor, call).await
    }

    async fn find_or_create_empire(
        &self,
        player: &PlayerIdentity,
        spawn_count: u32,
    ) -> Result<EmpireRecord, StoreError> {
        if let Some(rec) = self.find_empire(player).await? {
            return Ok(rec);
        }
        let counts = sqlx::query("SELECT spawn, COUNT(*) AS n FROM empires GROUP BY spawn")
            .fetch_all(&self.pool)
            .await?;
        let mut used = vec![0i64; spawn_count.max(1) as usize];
        for row in counts {
            let spawn: i64 = row.try_get("spawn")?;
            if let Some(slot) = usize::try_from(spawn).ok().and_then(|s| used.get_mut(s)) {
                *slot = row.try_get("n")?;
            }
        }
        let spawn = (0..used.len()).min_by_key(|i| (used[*i], *i)).unwrap_or(0);
        sqlx::query(
            "INSERT INTO empires (user_id, username, spawn) VALUES (?, ?, ?)
             ON CONFLICT(user_id) DO NOTHING",
        )
        .bind(player.user_id)
        .bind(&player.username)
        .bind(spawn as i64)
        .execute(&self.pool)
        .await?;
        self.find_empire(player).await?.ok_or(StoreError::Corrupt {
            what: "empire after insert",
            value: player.user_id,
        })
    }

    async fn find_empire(
        &self,
        player: &PlayerIdentity,
    ) -> Result<Option<EmpireRecord>, StoreError> {
        let row = sqlx::query("SELECT id, spawn, username FROM empires WHERE user_id = ?")
            .bind(player.user_id)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let id: i64 = row.try_get("id")?;
        let spawn: i64 = row.try_get("spawn")?;
        let name: String = row.try_get("username")?;
        if name != player.username {
            sqlx::query("UPDATE empires SET username = ? WHERE id = ?")
                .bind(&player.username)
                .bind(id)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some(EmpireRecord {
            empire: u32::try_from(id).map_err(|_| StoreError::Corrupt {
                what: "empire id",
                value: id,
            })?,
            spawn_index: u32::try_from(spawn).map_err(|_| StoreError::Corrupt {
                what: "spawn",
                value: spawn,
            })?,
        }))
    }

    /// Every stored unit.
    pub async fn load_units(&self) -> Result<Vec<UnitRecord>, StoreError> {
        self.metrics.time(DbOp::LoadUnits, self.read_units()).await
    }

    async fn read_units(&self) -> Result<Vec<UnitRecord>, StoreError> {
        let rows = sqlx::query("SELECT id, empire, kind, q, r, health FROM units ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let get = |col: &'static str| -> Result<i64, StoreError> { Ok(row.try_get(col)?) };
            let int = |col: &'static str| -> Result<i32, StoreError> {
                let v = get(col)?;
                i32::try_from(v).map_err(|_| StoreError::Corrupt {
                    what: col,
                    value: v,
                })
            };
            let (id, owner, kind) = (get("id")?, get("empire")?, get("kind")?);
            out.push(UnitRecord {
                id: u32::try_from(id).map_err(|_| StoreError::Corrupt {
                    what: "unit id",
                    value: id,
                })?,
                owner: u32::try_from(owner).map_err(|_| StoreError::Corrupt {
                    what: "unit empire",
                    value: owner,
                })?,
                kind: u8::try_from(kind)
                    .ok()
                    .and_then(EntityKind::from_u8)
                    .ok_or(StoreError::Corrupt {
                        what: "unit kind",
                        value: kind,
                    })?,
                pos: Hex::new(int("q")?, int("r")?),
                health: u16::try_from(get("health")?).unwrap_or(u16::MAX),
            });
        }
        Ok(out)
    }

    /// Insert or update `units` in one transaction (nothing to do, and not measured, when
    /// `units` is empty).
    pub async fn save_units(&self, units: &[UnitRecord]) -> Result<(), StoreError> {
        if units.is_empty() {
            return Ok(());
        }
        self.metrics
            .time(DbOp::SaveUnits, self.write_units(units))
            .await
    }

    async fn write_units(&self, units: &[UnitRecord]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for u in units {
            sqlx::query(
                "INSERT INTO units (id, empire, kind, q, r, health) VALUES (?, ?, ?, ?, ?, ?)
                 ON CONFLICT(id) DO UPDATE SET empire = excluded.empire, kind = excluded.kind,
                 q = excluded.q, r = excluded.r, health = excluded.health",
            )
            .bind(i64::from(u.id))
            .bind(i64::from(u.owner))
            .bind(u.kind as i64)
            .bind(u.pos.q)
            .bind(u.pos.r)
            .bind(i64::from(u.health))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Close the pool (waits for connections to finish).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn empires_are_stable_per_user_and_spread_over_spawns() {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = Store::open(&url).await.expect("open");
        let ada = PlayerIdentity {
            user_id: 1,
            username: "ada".into(),
            command_stream: 0,
        };
        let bob = PlayerIdentity {
            user_id: 2,
            username: "bob".into(),
            command_stream: 0,
        };
        let a = store.empire_for(&ada, 6).await.expect("ada");
        let b = store.empire_for(&bob, 6).await.expect("bob");
        assert_ne!(a.empire, b.empire);
        assert_ne!(a.spawn_index, b.spawn_index);
        assert_eq!(store.empire_for(&ada, 6).await.expect("again"), a);
        let unit = UnitRecord {
            id: 9,
            owner: a.empire,
            kind: EntityKind::Frigate,
            pos: Hex::new(-3, 4),
            health: 77,
        };
        store.save_units(&[unit]).await.expect("save");
        store
            .save_units(&[UnitRecord {
                pos: Hex::new(1, 1),
                ..unit
            }])
            .await
            .expect("update");
        store.close().await;
        let store = Store::open(&url).await.expect("reopen");
        assert_eq!(
            store.load_units().await.expect("load"),
            vec![UnitRecord {
                pos: Hex::new(1, 1),
                ..unit
            }]
        );
        assert_eq!(store.empire_for(&ada, 6).await.expect("after reopen"), a);
    }
}
