//! Players (global) and their empires in a region: the join lookup.

use super::{Pool, Store, StoreError, narrow, on_pool};
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
        let mut one = self
            .join_many(std::slice::from_ref(player), region, spawn_count)
            .await;
        one.pop().unwrap_or(Err(StoreError::Corrupt {
            what: "join answer",
            value: player.user_id,
        }))
    }

    /// [`Store::join`] for the joins that arrived together, answered in order: those answered
    /// before come from memory, the rest from one batch of statements
    /// (`starlane_region_db_seconds{op="join"}` times the batch). A failed batch of several
    /// fails each of its joins with the error's text ([`StoreError::Batch`]).
    pub async fn join_many(
        &self,
        players: &[PlayerIdentity],
        region: &str,
        spawn_count: u32,
    ) -> Vec<Result<EmpireRecord, StoreError>> {
        let mut out: Vec<Option<Result<EmpireRecord, StoreError>>> = players
            .iter()
            .map(|p| self.joined.get(p, region).map(Ok))
            .collect();
        let misses: Vec<PlayerIdentity> = players
            .iter()
            .zip(&out)
            .filter(|(_, known)| known.is_none())
            .map(|(p, _)| p.clone())
            .collect();
        for _ in 0..players.len() - misses.len() {
            self.metrics.join_answered(true);
        }
        let mut answers = if misses.is_empty() {
            Vec::new()
        } else {
            let call = self.find_or_create_many(&misses, region, spawn_count);
            match self.metrics.time(DbOp::Join, call).await {
                Ok(empires) => empires.into_iter().map(Ok).collect(),
                Err(e) if misses.len() == 1 => vec![Err(e)],
                Err(e) => {
                    let text = e.to_string();
                    misses
                        .iter()
                        .map(|_| Err(StoreError::Batch(text.clone())))
                        .collect()
                }
            }
        }
        .into_iter();
        for (player, slot) in players.iter().zip(out.iter_mut()) {
            if slot.is_none() {
                let answer = answers.next().unwrap_or(Err(StoreError::Corrupt {
                    what: "join answer",
                    value: player.user_id,
                }));
                if let Ok(empire) = &answer {
                    self.metrics.join_answered(false);
                    self.joined.put(player, region, *empire);
                }
                *slot = Some(answer);
            }
        }
        out.into_iter()
            .zip(players)
            .map(|(slot, p)| {
                slot.unwrap_or(Err(StoreError::Corrupt {
                    what: "join answer",
                    value: p.user_id,
                }))
            })
            .collect()
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
}

/// Empires per spawn point, per region, as this store assigned and read them.
#[derive(Debug, Default)]
pub(super) struct SpawnCounts(Mutex<HashMap<String, HashMap<i64, i64>>>);

impl SpawnCounts {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, HashMap<i64, i64>>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn knows(&self, region: &str) -> bool {
        self.lock().contains_key(region)
    }

    /// Take `region`'s counts from the database (a concurrent first load of the same region
    /// reads the same rows; the later one replaces the earlier harmlessly).
    pub(super) fn load(&self, region: &str, counts: Vec<(i64, i64)>) {
        self.lock()
            .insert(region.to_string(), counts.into_iter().collect());
    }

    /// `n` spawns to hand out in turn, each the least used of spawns `0..spawn_count` once
    /// the ones before it are counted (the counts themselves are not changed: see
    /// [`SpawnCounts::count`]).
    pub(super) fn least_used_many(&self, region: &str, spawn_count: u32, n: usize) -> Vec<i64> {
        let map = self.lock();
        let mut used: Vec<i64> = (0..i64::from(spawn_count.max(1)))
            .map(|s| {
                map.get(region)
                    .and_then(|c| c.get(&s))
                    .copied()
                    .unwrap_or(0)
            })
            .collect();
        (0..n)
            .map(|_| {
                let (spawn, _) = used
                    .iter()
                    .enumerate()
                    .min_by_key(|(s, n)| (**n, *s))
                    .unwrap_or((0, &0));
                if let Some(n) = used.get_mut(spawn) {
                    *n += 1;
                }
                spawn as i64
            })
            .collect()
    }

    pub(super) fn count(&self, region: &str, spawn: i64) {
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
