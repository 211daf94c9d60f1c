//! Players (global) and their empires in a region: the join lookup.

use super::{Pool, Store, StoreError, narrow, on_pool, unix_now};
use crate::metrics::DbOp;
use crate::records::{EmpireRecord, PlayerRecord};
use sqlx::Row;
use starlane_protocol::link::PlayerIdentity;
use std::collections::HashMap;
use std::sync::Mutex;

impl Store {
    /// The empire of `player` in `region`: the player is created (global row, empire id, home
    /// region by the configured policy) if new, and given the least used of `spawn_count`
    /// spawn points of `region` on a first join there. The username is refreshed.
    /// Concurrent first joins of one user create one player.
    ///
    /// A player's empire and its spawn in a region never change once stored, so a join this
    /// store answered before (a reconnection, a move between edges, a reconnect storm) is
    /// answered from memory unless the username changed: `starlane_region_joins_total{source}`
    /// counts both.
    pub async fn join(
        &self,
        player: &PlayerIdentity,
        region: &str,
        spawn_count: u32,
    ) -> Result<EmpireRecord, StoreError> {
        if let Some(known) = self.joined.get(player, region) {
            self.metrics.join_answered(true);
            return Ok(known);
        }
        let call = self.find_or_create(player, region, spawn_count);
        let empire = self.metrics.time(DbOp::Join, call).await?;
        self.metrics.join_answered(false);
        self.joined.put(player, region, empire);
        Ok(empire)
    }

    /// The stored player `user_id`, if any.
    pub async fn player(&self, user_id: i64) -> Result<Option<PlayerRecord>, StoreError> {
        self.metrics
            .time(DbOp::PlayerLookup, self.read_player(user_id))
            .await
    }

    async fn read_player(&self, user_id: i64) -> Result<Option<PlayerRecord>, StoreError> {
        let sql =
            "SELECT username, home_region, empire, created_at FROM players WHERE user_id = $1";
        let row = on_pool!(self, p => {
            let row = sqlx::query(sql).bind(user_id).fetch_optional(p).await?;
            match row {
                None => None,
                Some(row) => Some((
                    row.try_get::<String, _>("username")?,
                    row.try_get::<String, _>("home_region")?,
                    row.try_get::<i64, _>("empire")?,
                    row.try_get::<i64, _>("created_at")?,
                )),
            }
        });
        let Some((username, home_region, empire, created_at)) = row else {
            return Ok(None);
        };
        Ok(Some(PlayerRecord {
            user_id,
            username,
            home_region,
            empire: narrow("player empire", empire)?,
            created_at,
        }))
    }

    async fn find_or_create(
        &self,
        player: &PlayerIdentity,
        region: &str,
        spawn_count: u32,
    ) -> Result<EmpireRecord, StoreError> {
        let (empire, username) = match self.global_player(player.user_id).await? {
            Some(found) => found,
            None => self.create_player(player, region).await?,
        };
        if username != player.username {
            let sql = "UPDATE players SET username = $1 WHERE user_id = $2";
            on_pool!(self, p => sqlx::query(sql)
                .bind(&player.username)
                .bind(player.user_id)
                .execute(p)
                .await
                .map(|_| ()))?;
        }
        let spawn = match self.region_spawn(player.user_id, region).await? {
            Some(spawn) => spawn,
            None => {
                self.assign_spawn(player.user_id, region, spawn_count)
                    .await?
            }
        };
        Ok(EmpireRecord {
            empire: narrow("player empire", empire)?,
            spawn_index: narrow("spawn", spawn)?,
        })
    }

    /// (empire, username) of a stored player.
    async fn global_player(&self, user_id: i64) -> Result<Option<(i64, String)>, StoreError> {
        let sql = "SELECT empire, username FROM players WHERE user_id = $1";
        Ok(on_pool!(self, p => {
            let row = sqlx::query(sql).bind(user_id).fetch_optional(p).await?;
            match row {
                None => None,
                Some(row) => Some((row.try_get("empire")?, row.try_get("username")?)),
            }
        }))
    }

    /// Create the player with a new empire id; a concurrent creation of the same user wins
    /// harmlessly (its row is kept, the id taken here is left unused).
    async fn create_player(
        &self,
        player: &PlayerIdentity,
        region: &str,
    ) -> Result<(i64, String), StoreError> {
        let home = self.home_policy.assign(player.user_id, region);
        let next = "UPDATE id_counters SET next_id = next_id + 1 WHERE name = 'empire' \
                    RETURNING next_id";
        let insert = "INSERT INTO players (user_id, username, home_region, empire, created_at) \
                      VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id) DO NOTHING";
        on_pool!(self, p => {
            let next: i64 = sqlx::query(next).fetch_one(p).await?.try_get("next_id")?;
            sqlx::query(insert)
                .bind(player.user_id)
                .bind(&player.username)
                .bind(&home)
                .bind(next - 1)
                .bind(unix_now())
                .execute(p)
                .await?;
        });
        self.global_player(player.user_id)
            .await?
            .ok_or(StoreError::Corrupt {
                what: "player after insert",
                value: player.user_id,
            })
    }

    async fn region_spawn(&self, user_id: i64, region: &str) -> Result<Option<i64>, StoreError> {
        let sql = "SELECT spawn FROM region_empires WHERE region = $1 AND user_id = $2";
        Ok(on_pool!(self, p => {
            let row = sqlx::query(sql).bind(region).bind(user_id).fetch_optional(p).await?;
            match row {
                None => None,
                Some(row) => Some(row.try_get("spawn")?),
            }
        }))
    }

    /// Give the player the least used spawn point of `region` (the lowest on a tie).
    ///
    /// The counts per spawn are read from the database once per region and store, then kept
    /// in memory (a region process is the only writer of its region's rows), so a first join
    /// costs the same with ten or ten thousand empires in the region.
    async fn assign_spawn(
        &self,
        user_id: i64,
        region: &str,
        spawn_count: u32,
    ) -> Result<i64, StoreError> {
        if !self.spawns.knows(region) {
            let counts = self.spawn_counts(region).await?;
            self.spawns.load(region, counts);
        }
        let spawn = self.spawns.least_used(region, spawn_count);
        let insert = "INSERT INTO region_empires (region, user_id, spawn) VALUES ($1, $2, $3) \
                      ON CONFLICT (region, user_id) DO NOTHING";
        let added = on_pool!(self, p => sqlx::query(insert)
            .bind(region)
            .bind(user_id)
            .bind(spawn)
            .execute(p)
            .await?
            .rows_affected());
        let stored = self
            .region_spawn(user_id, region)
            .await?
            .ok_or(StoreError::Corrupt {
                what: "region empire after insert",
                value: user_id,
            })?;
        if added == 1 {
            self.spawns.count(region, stored);
        }
        Ok(stored)
    }

    /// How many empires of `region` use each spawn point, from the database.
    async fn spawn_counts(&self, region: &str) -> Result<Vec<(i64, i64)>, StoreError> {
        let sql = "SELECT spawn, COUNT(*) AS n FROM region_empires WHERE region = $1 \
                   GROUP BY spawn";
        Ok(on_pool!(self, p => {
            let mut counts = Vec::new();
            for row in sqlx::query(sql).bind(region).fetch_all(p).await? {
                counts.push((row.try_get("spawn")?, row.try_get("n")?));
            }
            counts
        }))
    }
}

/// Empires per spawn point, per region, as this store assigned and read them.
#[derive(Debug, Default)]
pub(super) struct SpawnCounts(Mutex<HashMap<String, HashMap<i64, i64>>>);

impl SpawnCounts {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, HashMap<i64, i64>>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn knows(&self, region: &str) -> bool {
        self.lock().contains_key(region)
    }

    /// Take `region`'s counts from the database (a concurrent first load of the same region
    /// reads the same rows; the later one replaces the earlier harmlessly).
    fn load(&self, region: &str, counts: Vec<(i64, i64)>) {
        self.lock()
            .insert(region.to_string(), counts.into_iter().collect());
    }

    /// The least used of spawns `0..spawn_count` (at least one), the lowest on a tie.
    fn least_used(&self, region: &str, spawn_count: u32) -> i64 {
        let map = self.lock();
        let used = |spawn: i64| {
            map.get(region)
                .and_then(|c| c.get(&spawn))
                .copied()
                .unwrap_or(0)
        };
        (0..i64::from(spawn_count.max(1)))
            .min_by_key(|s| (used(*s), *s))
            .unwrap_or(0)
    }

    fn count(&self, region: &str, spawn: i64) {
        let mut map = self.lock();
        *map.entry(region.to_string())
            .or_default()
            .entry(spawn)
            .or_insert(0) += 1;
    }
}

/// Most joins a store remembers; past it the memory starts again (a bound, not an LRU: a
/// region's players rejoin often enough to refill it).
const JOINED_MAX: usize = 200_000;

/// The joins a store answered, by user and region, with the username they were stored with.
#[derive(Debug, Default)]
pub(super) struct Joined(Mutex<HashMap<(i64, String), (EmpireRecord, String)>>);

impl Joined {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(i64, String), (EmpireRecord, String)>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get(&self, player: &PlayerIdentity, region: &str) -> Option<EmpireRecord> {
        let map = self.lock();
        let (empire, username) = map.get(&(player.user_id, region.to_string()))?;
        (*username == player.username).then_some(*empire)
    }

    fn put(&self, player: &PlayerIdentity, region: &str, empire: EmpireRecord) {
        let mut map = self.lock();
        if map.len() >= JOINED_MAX {
            map.clear();
        }
        let key = (player.user_id, region.to_string());
        map.insert(key, (empire, player.username.clone()));
    }
}
