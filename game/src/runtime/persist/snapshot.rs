//! World snapshots: a region's whole world written in one transaction, read back at start.

use super::economy::{economy_from_rows, read_economy, write_economy};
use super::social::{read_social, social_from_rows, write_social};
use super::vision::{read_vision, vision_from_rows, write_vision};
use super::{Pool, Store, StoreError, narrow, on_pool, unix_now};
use crate::metrics::DbOp;
use crate::records::{UnitRecord, WorldSnapshot};
use sqlx::Row;
use starlane_protocol::{EntityKind, Hex};

/// Units per INSERT statement (7 parameters each: well under both backends' limits).
const ROWS_PER_INSERT: usize = 500;

/// What is known of a region's stored snapshot besides its units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotInfo {
    /// The tick it was taken at.
    pub tick: u32,
    /// When it was written (Unix seconds).
    pub taken_at: i64,
}

impl Store {
    /// The last snapshot of `region`, `None` when it never wrote one.
    pub async fn load_snapshot(
        &self,
        region: &str,
    ) -> Result<Option<(SnapshotInfo, WorldSnapshot)>, StoreError> {
        self.metrics
            .time(DbOp::LoadSnapshot, self.read_snapshot(region))
            .await
    }

    /// Replace the stored world of `region` by `snapshot`, in one transaction: either all of
    /// it is stored or none (the previous snapshot stays).
    pub async fn write_snapshot(
        &self,
        region: &str,
        snapshot: &WorldSnapshot,
    ) -> Result<(), StoreError> {
        self.metrics
            .time(DbOp::WriteSnapshot, self.replace_snapshot(region, snapshot))
            .await
    }

    async fn read_snapshot(
        &self,
        region: &str,
    ) -> Result<Option<(SnapshotInfo, WorldSnapshot)>, StoreError> {
        let head = "SELECT tick, taken_at FROM world_snapshots WHERE region = $1";
        let units = "SELECT id, empire, kind, q, r, health FROM units WHERE region = $1 \
                     ORDER BY id";
        let (head, rows) = on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let head = match sqlx::query(head).bind(region).fetch_optional(&mut *tx).await? {
                None => None,
                Some(row) => Some((
                    row.try_get::<i64, _>("tick")?,
                    row.try_get::<i64, _>("taken_at")?,
                )),
            };
            let mut rows = Vec::new();
            for row in sqlx::query(units).bind(region).fetch_all(&mut *tx).await? {
                let mut cols = [0i64; 6];
                for (i, col) in ["id", "empire", "kind", "q", "r", "health"].iter().enumerate() {
                    cols[i] = row.try_get(*col)?;
                }
                rows.push(cols);
            }
            let economy = read_economy!(tx, region);
            let vision = read_vision!(tx, region);
            let social = read_social!(tx, region);
            tx.commit().await?;
            (head, (rows, economy, vision, social))
        });
        let (rows, (stocks, jobs, sites), (grants, explored, remembered), social) = rows;
        let Some((tick, taken_at)) = head else {
            return Ok(None);
        };
        let units = rows
            .into_iter()
            .map(unit_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let info = SnapshotInfo {
            tick: narrow("snapshot tick", tick)?,
            taken_at,
        };
        Ok(Some((
            info,
            WorldSnapshot {
                tick: info.tick,
                units,
                economy: economy_from_rows(stocks, jobs, sites)?,
                vision: vision_from_rows(grants, explored, remembered)?,
                social: social_from_rows(social.0, social.1, social.2)?,
            },
        )))
    }

    async fn replace_snapshot(
        &self,
        region: &str,
        snapshot: &WorldSnapshot,
    ) -> Result<(), StoreError> {
        let head = "INSERT INTO world_snapshots (region, tick, units, taken_at) \
                    VALUES ($1, $2, $3, $4) ON CONFLICT (region) DO UPDATE SET \
                    tick = excluded.tick, units = excluded.units, taken_at = excluded.taken_at";
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query("DELETE FROM units WHERE region = $1")
                .bind(region)
                .execute(&mut *tx)
                .await?;
            for chunk in snapshot.units.chunks(ROWS_PER_INSERT) {
                let mut insert = sqlx::QueryBuilder::new(
                    "INSERT INTO units (region, id, empire, kind, q, r, health) ",
                );
                insert.push_values(chunk, |mut b, u| {
                    b.push_bind(region.to_owned())
                        .push_bind(i64::from(u.id))
                        .push_bind(i64::from(u.owner))
                        .push_bind(u.kind as i64)
                        .push_bind(i64::from(u.pos.q))
                        .push_bind(i64::from(u.pos.r))
                        .push_bind(i64::from(u.health));
                });
                insert.build().execute(&mut *tx).await?;
            }
            write_economy!(tx, region, snapshot.economy);
            write_vision!(tx, region, snapshot.vision);
            write_social!(tx, region, snapshot.social);
            sqlx::query(head)
                .bind(region)
                .bind(i64::from(snapshot.tick))
                .bind(snapshot.units.len() as i64)
                .bind(unix_now())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }
}

/// A unit from its stored columns (id, empire, kind, q, r, health), every one range-checked.
fn unit_from_row([id, empire, kind, q, r, health]: [i64; 6]) -> Result<UnitRecord, StoreError> {
    Ok(UnitRecord {
        id: narrow("unit id", id)?,
        owner: narrow("unit empire", empire)?,
        kind: u8::try_from(kind)
            .ok()
            .and_then(EntityKind::from_u8)
            .ok_or(StoreError::Corrupt {
                what: "unit kind",
                value: kind,
            })?,
        pos: Hex::new(narrow("unit q", q)?, narrow("unit r", r)?),
        health: narrow("unit health", health)?,
    })
}
