//! The database side of joins, for many players at once: the joins that arrive together cost
//! a handful of statements in all (players read, new players created with one counter bump
//! and one insert, spawn points read and assigned with one insert), not a handful each.

use super::{Pool, Store, StoreError, narrow, on_pool, unix_now};
use crate::records::EmpireRecord;
use sqlx::Row;
use starlane_protocol::link::PlayerIdentity;
use std::collections::HashMap;

impl Store {
    /// The empire of each of `players` in `region`, in order: players are created (global
    /// row, empire id, home region by the configured policy) if new, and given the least used
    /// of `spawn_count` spawn points of `region` on a first join there; usernames are
    /// refreshed. A user listed twice gets one player. Concurrent first joins of one user
    /// (another store, another region) create one player.
    pub(super) async fn find_or_create_many(
        &self,
        players: &[PlayerIdentity],
        region: &str,
        spawn_count: u32,
    ) -> Result<Vec<EmpireRecord>, StoreError> {
        let mut ids: Vec<i64> = players.iter().map(|p| p.user_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut stored = self.players_of(&ids).await?;
        let new: Vec<&PlayerIdentity> = first_of_each(players)
            .filter(|p| !stored.contains_key(&p.user_id))
            .collect();
        if !new.is_empty() {
            self.create_players(&new, region).await?;
            let created: Vec<i64> = new.iter().map(|p| p.user_id).collect();
            stored.extend(self.players_of(&created).await?);
        }
        for p in first_of_each(players) {
            let (_, username) = stored.get(&p.user_id).ok_or(StoreError::Corrupt {
                what: "player after insert",
                value: p.user_id,
            })?;
            if *username != p.username {
                self.rename(p).await?;
            }
        }
        let spawns = self.spawns_of(region, &ids, spawn_count).await?;
        let mut out = Vec::with_capacity(players.len());
        for p in players {
            let missing = |what| StoreError::Corrupt {
                what,
                value: p.user_id,
            };
            let (empire, _) = stored.get(&p.user_id).ok_or(missing("player"))?;
            let spawn = spawns.get(&p.user_id).ok_or(missing("region empire"))?;
            out.push(EmpireRecord {
                empire: narrow("player empire", *empire)?,
                spawn_index: narrow("spawn", *spawn)?,
            });
        }
        Ok(out)
    }

    /// (empire, username) of the stored players among `ids`.
    async fn players_of(&self, ids: &[i64]) -> Result<HashMap<i64, (i64, String)>, StoreError> {
        let mut found = HashMap::with_capacity(ids.len());
        if ids.is_empty() {
            return Ok(found);
        }
        on_pool!(self, p => {
            let mut q = sqlx::QueryBuilder::new(
                "SELECT user_id, empire, username FROM players WHERE user_id IN ",
            );
            push_ids(&mut q, ids);
            for row in q.build().fetch_all(p).await? {
                let user: i64 = row.try_get("user_id")?;
                found.insert(user, (row.try_get("empire")?, row.try_get("username")?));
            }
        });
        Ok(found)
    }

    /// Create `new` players (distinct users) with new empire ids, taken from the counter in
    /// one step; a concurrent creation of the same user wins harmlessly (its row is kept,
    /// the id taken here is left unused).
    async fn create_players(
        &self,
        new: &[&PlayerIdentity],
        region: &str,
    ) -> Result<(), StoreError> {
        let bump = "UPDATE id_counters SET next_id = next_id + $1 WHERE name = 'empire' \
                    RETURNING next_id";
        let count = new.len() as i64;
        let now = unix_now();
        on_pool!(self, p => {
            let next: i64 = sqlx::query(bump).bind(count).fetch_one(p).await?.try_get("next_id")?;
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO players (user_id, username, home_region, empire, created_at) ",
            );
            insert.push_values(new.iter().enumerate(), |mut b, (i, player)| {
                b.push_bind(player.user_id)
                    .push_bind(player.username.clone())
                    .push_bind(self.home_policy.assign(player.user_id, region))
                    .push_bind(next - count + i as i64)
                    .push_bind(now);
            });
            insert.push(" ON CONFLICT (user_id) DO NOTHING");
            insert.build().execute(p).await?;
        });
        Ok(())
    }

    async fn rename(&self, player: &PlayerIdentity) -> Result<(), StoreError> {
        let sql = "UPDATE players SET username = $1 WHERE user_id = $2";
        on_pool!(self, p => sqlx::query(sql)
            .bind(&player.username)
            .bind(player.user_id)
            .execute(p)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// The spawn point in `region` of each of `ids` (distinct), assigning the least used of
    /// `spawn_count` (the lowest on a tie) to those without one.
    ///
    /// The counts per spawn are read from the database once per region and store, then kept
    /// in memory (a region process is the only writer of its region's rows), so a first join
    /// costs the same with ten or ten thousand empires in the region.
    async fn spawns_of(
        &self,
        region: &str,
        ids: &[i64],
        spawn_count: u32,
    ) -> Result<HashMap<i64, i64>, StoreError> {
        let mut found = self.stored_spawns(region, ids).await?;
        let new: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|id| !found.contains_key(id))
            .collect();
        if new.is_empty() {
            return Ok(found);
        }
        if !self.spawns.knows(region) {
            let counts = self.spawn_counts(region).await?;
            self.spawns.load(region, counts);
        }
        let assigned = self.spawns.least_used_many(region, spawn_count, new.len());
        on_pool!(self, p => {
            let mut insert =
                sqlx::QueryBuilder::new("INSERT INTO region_empires (region, user_id, spawn) ");
            insert.push_values(new.iter().zip(&assigned), |mut b, (id, spawn)| {
                b.push_bind(region.to_owned()).push_bind(*id).push_bind(*spawn);
            });
            insert.push(" ON CONFLICT (region, user_id) DO NOTHING");
            insert.build().execute(p).await?;
        });
        let added = self.stored_spawns(region, &new).await?;
        for (id, spawn) in new.iter().zip(&assigned) {
            if added.get(id) == Some(spawn) {
                self.spawns.count(region, *spawn);
            }
        }
        found.extend(added);
        Ok(found)
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

    /// The stored spawn points in `region` of the users among `ids`.
    async fn stored_spawns(
        &self,
        region: &str,
        ids: &[i64],
    ) -> Result<HashMap<i64, i64>, StoreError> {
        let mut found = HashMap::with_capacity(ids.len());
        if ids.is_empty() {
            return Ok(found);
        }
        on_pool!(self, p => {
            let mut q = sqlx::QueryBuilder::new(
                "SELECT user_id, spawn FROM region_empires WHERE region = ",
            );
            q.push_bind(region.to_owned());
            q.push(" AND user_id IN ");
            push_ids(&mut q, ids);
            for row in q.build().fetch_all(p).await? {
                found.insert(row.try_get("user_id")?, row.try_get("spawn")?);
            }
        });
        Ok(found)
    }
}

/// Append `(id, id, ...)` to `q`, each id a bound parameter.
fn push_ids<DB: sqlx::Database>(q: &mut sqlx::QueryBuilder<DB>, ids: &[i64])
where
    for<'t> i64: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    q.push("(");
    let mut list = q.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
    list.push_unseparated(")");
}

/// The first identity of each user in `players`.
fn first_of_each(players: &[PlayerIdentity]) -> impl Iterator<Item = &PlayerIdentity> {
    let mut seen = std::collections::HashSet::with_capacity(players.len());
    players.iter().filter(move |p| seen.insert(p.user_id))
}
