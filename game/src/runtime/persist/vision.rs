//! The vision part of a world snapshot: grants and explored cells (migration 0003) and the
//! entities empires remember (migration 0004), written and read inside the snapshot's
//! transaction. Macros, as [`super::economy`], so one
//! text serves both backends' transaction types.

use super::{StoreError, narrow};
use crate::records::{ExploredRecord, MemoryRecord, VisionRecord};
use starlane_protocol::{EntityKind, Hex};

/// Rows per INSERT (at most 9 parameters each: under both backends' limits).
pub(super) const VISION_ROWS_PER_INSERT: usize = 400;

/// Replace the stored grants and explored cells of `$region` by `$vision` (a `VisionRecord`)
/// in `$tx`.
macro_rules! write_vision {
    ($tx:expr, $region:expr, $vision:expr) => {{
        for delete in [
            "DELETE FROM vision_grants WHERE region = $1",
            "DELETE FROM explored WHERE region = $1",
            "DELETE FROM last_seen WHERE region = $1",
        ] {
            sqlx::query(delete).bind($region).execute(&mut *$tx).await?;
        }
        for chunk in $vision.grants.chunks(super::vision::VISION_ROWS_PER_INSERT) {
            let mut insert =
                sqlx::QueryBuilder::new("INSERT INTO vision_grants (region, granter, grantee) ");
            insert.push_values(chunk, |mut b, (from, to)| {
                b.push_bind($region.to_owned())
                    .push_bind(i64::from(*from))
                    .push_bind(i64::from(*to));
            });
            insert.build().execute(&mut *$tx).await?;
        }
        for chunk in $vision
            .explored
            .chunks(super::vision::VISION_ROWS_PER_INSERT)
        {
            let mut insert =
                sqlx::QueryBuilder::new("INSERT INTO explored (region, empire, cells, bits) ");
            insert.push_values(chunk, |mut b, r| {
                b.push_bind($region.to_owned())
                    .push_bind(i64::from(r.empire))
                    .push_bind(i64::from(r.cells))
                    .push_bind(super::vision::to_hex(&r.bits));
            });
            insert.build().execute(&mut *$tx).await?;
        }
        for chunk in $vision
            .remembered
            .chunks(super::vision::VISION_ROWS_PER_INSERT)
        {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO last_seen (region, empire, id, kind, owner, q, r, age_ticks, \
                 ttl_ticks) ",
            );
            insert.push_values(chunk, |mut b, m| {
                b.push_bind($region.to_owned())
                    .push_bind(i64::from(m.empire))
                    .push_bind(i64::from(m.id))
                    .push_bind(i64::from(m.kind.code()))
                    .push_bind(i64::from(m.owner))
                    .push_bind(i64::from(m.pos.q))
                    .push_bind(i64::from(m.pos.r))
                    .push_bind(i64::from(m.age_ticks))
                    .push_bind(m.ttl_ticks.map_or(-1, i64::from));
            });
            insert.build().execute(&mut *$tx).await?;
        }
    }};
}
pub(super) use write_vision;

/// Read the stored grants and explored rows of `$region` in `$tx`, as raw values for
/// [`vision_from_rows`].
macro_rules! read_vision {
    ($tx:expr, $region:expr) => {{
        let mut grants = Vec::new();
        let q = "SELECT granter, grantee FROM vision_grants WHERE region = $1 \
                 ORDER BY granter, grantee";
        for row in sqlx::query(q).bind($region).fetch_all(&mut *$tx).await? {
            grants.push([
                row.try_get::<i64, _>("granter")?,
                row.try_get::<i64, _>("grantee")?,
            ]);
        }
        let mut explored = Vec::new();
        let q = "SELECT empire, cells, bits FROM explored WHERE region = $1 ORDER BY empire";
        for row in sqlx::query(q).bind($region).fetch_all(&mut *$tx).await? {
            explored.push((
                row.try_get::<i64, _>("empire")?,
                row.try_get::<i64, _>("cells")?,
                row.try_get::<String, _>("bits")?,
            ));
        }
        let mut remembered = Vec::new();
        let q = "SELECT empire, id, kind, owner, q, r, age_ticks, ttl_ticks FROM last_seen \
                 WHERE region = $1 ORDER BY empire, id";
        for row in sqlx::query(q).bind($region).fetch_all(&mut *$tx).await? {
            let mut cols = [0i64; 8];
            let names = [
                "empire",
                "id",
                "kind",
                "owner",
                "q",
                "r",
                "age_ticks",
                "ttl_ticks",
            ];
            for (i, col) in names.iter().enumerate() {
                cols[i] = row.try_get(*col)?;
            }
            remembered.push(cols);
        }
        (grants, explored, remembered)
    }};
}
pub(super) use read_vision;

/// The raw rows of [`read_vision`], every value checked.
pub(super) fn vision_from_rows(
    grants: Vec<[i64; 2]>,
    explored: Vec<(i64, i64, String)>,
    remembered: Vec<[i64; 8]>,
) -> Result<VisionRecord, StoreError> {
    let grants = grants
        .into_iter()
        .map(|[from, to]| Ok((narrow("grant granter", from)?, narrow("grant grantee", to)?)))
        .collect::<Result<_, StoreError>>()?;
    let explored = explored
        .into_iter()
        .map(|(empire, cells, bits)| {
            Ok(ExploredRecord {
                empire: narrow("explored empire", empire)?,
                cells: narrow("explored cells", cells)?,
                bits: from_hex(&bits).ok_or(StoreError::Corrupt {
                    what: "explored bits",
                    value: i64::try_from(bits.len()).unwrap_or(i64::MAX),
                })?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    let remembered = remembered
        .into_iter()
        .map(memory_from_row)
        .collect::<Result<_, _>>()?;
    Ok(VisionRecord {
        grants,
        explored,
        remembered,
    })
}

/// A remembered entity from its stored columns, every one range-checked.
fn memory_from_row(
    [empire, id, kind, owner, q, r, age, ttl]: [i64; 8],
) -> Result<MemoryRecord, StoreError> {
    Ok(MemoryRecord {
        empire: narrow("last seen empire", empire)?,
        id: narrow("last seen id", id)?,
        kind: u8::try_from(kind)
            .ok()
            .and_then(EntityKind::from_u8)
            .ok_or(StoreError::Corrupt {
                what: "last seen kind",
                value: kind,
            })?,
        owner: narrow("last seen owner", owner)?,
        pos: Hex::new(narrow("last seen q", q)?, narrow("last seen r", r)?),
        age_ticks: narrow("last seen age", age)?,
        ttl_ticks: (ttl >= 0)
            .then(|| narrow("last seen ttl", ttl))
            .transpose()?,
    })
}

/// `bytes` as lowercase hex.
pub(super) fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// The bytes of a hex text; `None` for an odd length or a non-hex digit.
fn from_hex(text: &str) -> Option<Vec<u8>> {
    let digits = text.as_bytes();
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    let value = |d: u8| {
        char::from(d)
            .to_digit(16)
            .and_then(|v| u8::try_from(v).ok())
    };
    digits
        .chunks_exact(2)
        .map(|pair| Some(value(pair[0])? << 4 | value(pair[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_refuses_bad_text() {
        let bytes = vec![0x00, 0x0f, 0xa5, 0xff];
        assert_eq!(to_hex(&bytes), "000fa5ff");
        assert_eq!(from_hex("000fa5ff"), Some(bytes));
        assert_eq!(from_hex("000FA5FF"), Some(vec![0x00, 0x0f, 0xa5, 0xff]));
        assert_eq!(from_hex(""), Some(vec![]));
        assert_eq!(from_hex("abc"), None);
        assert_eq!(from_hex("zz"), None);
    }
}
