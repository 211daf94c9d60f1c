//! The economy part of a world snapshot (migration 0002): stocks, jobs and construction
//! sites, written and read inside the snapshot's transaction. The statements are macros so
//! one text serves both backends' transaction types (as [`super::on_pool`] does).

use super::{StoreError, narrow};
use crate::records::JobRecord;

/// Rows per INSERT (10 parameters each: under both backends' limits).
pub(super) const ECONOMY_ROWS_PER_INSERT: usize = 400;

/// Replace the stored economy of `$region` by `$eco` (an `EconomyRecord`) in `$tx`.
macro_rules! write_economy {
    ($tx:expr, $region:expr, $eco:expr) => {{
        for delete in [
            "DELETE FROM stocks WHERE region = $1",
            "DELETE FROM jobs WHERE region = $1",
            "DELETE FROM construction_sites WHERE region = $1",
        ] {
            sqlx::query(delete).bind($region).execute(&mut *$tx).await?;
        }
        for chunk in $eco.stocks.chunks(super::economy::ECONOMY_ROWS_PER_INSERT) {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO stocks (region, empire, credits, metal, crystal) ",
            );
            insert.push_values(chunk, |mut b, (empire, s)| {
                b.push_bind($region.to_owned())
                    .push_bind(i64::from(*empire))
                    .push_bind(i64::from(s[0]))
                    .push_bind(i64::from(s[1]))
                    .push_bind(i64::from(s[2]));
            });
            insert.build().execute(&mut *$tx).await?;
        }
        for chunk in $eco.jobs.chunks(super::economy::ECONOMY_ROWS_PER_INSERT) {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO jobs (region, building, job, position, recipe, repeats, remaining, \
                 paid_credits, paid_metal, paid_crystal) ",
            );
            insert.push_values(chunk, |mut b, j| {
                b.push_bind($region.to_owned())
                    .push_bind(i64::from(j.building))
                    .push_bind(i64::from(j.job))
                    .push_bind(i64::from(j.position))
                    .push_bind(i64::from(j.recipe))
                    .push_bind(i64::from(j.repeat))
                    .push_bind(j.remaining.map_or(-1, i64::from))
                    .push_bind(i64::from(j.paid[0]))
                    .push_bind(i64::from(j.paid[1]))
                    .push_bind(i64::from(j.paid[2]));
            });
            insert.build().execute(&mut *$tx).await?;
        }
        for chunk in $eco.sites.chunks(super::economy::ECONOMY_ROWS_PER_INSERT) {
            let mut insert =
                sqlx::QueryBuilder::new("INSERT INTO construction_sites (region, building) ");
            insert.push_values(chunk, |mut b, id| {
                b.push_bind($region.to_owned()).push_bind(i64::from(*id));
            });
            insert.build().execute(&mut *$tx).await?;
        }
    }};
}
pub(super) use write_economy;

/// Read the stored economy rows of `$region` in `$tx`: stock rows, job rows and site ids as
/// raw integers, for [`economy_from_rows`].
macro_rules! read_economy {
    ($tx:expr, $region:expr) => {{
        let mut stocks = Vec::new();
        let q = "SELECT empire, credits, metal, crystal FROM stocks WHERE region = $1 \
                 ORDER BY empire";
        for row in sqlx::query(q).bind($region).fetch_all(&mut *$tx).await? {
            let mut cols = [0i64; 4];
            for (i, col) in ["empire", "credits", "metal", "crystal"].iter().enumerate() {
                cols[i] = row.try_get(*col)?;
            }
            stocks.push(cols);
        }
        let mut jobs = Vec::new();
        let q = "SELECT building, job, position, recipe, repeats, remaining, paid_credits, \
                 paid_metal, paid_crystal FROM jobs WHERE region = $1 \
                 ORDER BY building, position";
        for row in sqlx::query(q).bind($region).fetch_all(&mut *$tx).await? {
            let mut cols = [0i64; 9];
            let names = [
                "building",
                "job",
                "position",
                "recipe",
                "repeats",
                "remaining",
                "paid_credits",
                "paid_metal",
                "paid_crystal",
            ];
            for (i, col) in names.iter().enumerate() {
                cols[i] = row.try_get(*col)?;
            }
            jobs.push(cols);
        }
        let mut sites = Vec::new();
        let q = "SELECT building FROM construction_sites WHERE region = $1 ORDER BY building";
        for row in sqlx::query(q).bind($region).fetch_all(&mut *$tx).await? {
            sites.push(row.try_get::<i64, _>("building")?);
        }
        (stocks, jobs, sites)
    }};
}
pub(super) use read_economy;

/// The raw rows of [`read_economy`], every value range-checked.
pub(super) fn economy_from_rows(
    stocks: Vec<[i64; 4]>,
    jobs: Vec<[i64; 9]>,
    sites: Vec<i64>,
) -> Result<crate::records::EconomyRecord, StoreError> {
    let stocks = stocks
        .into_iter()
        .map(|[empire, c, m, x]| {
            Ok((
                narrow("stock empire", empire)?,
                [
                    narrow("stock credits", c)?,
                    narrow("stock metal", m)?,
                    narrow("stock crystal", x)?,
                ],
            ))
        })
        .collect::<Result<_, StoreError>>()?;
    let jobs = jobs
        .into_iter()
        .map(job_from_row)
        .collect::<Result<_, _>>()?;
    let sites = sites
        .into_iter()
        .map(|id| narrow("site building", id))
        .collect::<Result<_, _>>()?;
    Ok(crate::records::EconomyRecord {
        stocks,
        jobs,
        sites,
    })
}

fn job_from_row(
    [building, job, position, recipe, repeats, remaining, c, m, x]: [i64; 9],
) -> Result<JobRecord, StoreError> {
    let repeat = match repeats {
        0 => false,
        1 => true,
        value => {
            return Err(StoreError::Corrupt {
                what: "job repeats",
                value,
            });
        }
    };
    Ok(JobRecord {
        building: narrow("job building", building)?,
        job: narrow("job id", job)?,
        position: narrow("job position", position)?,
        recipe: narrow("job recipe", recipe)?,
        repeat,
        remaining: (remaining >= 0)
            .then(|| narrow("job remaining", remaining))
            .transpose()?,
        paid: [
            narrow("job paid credits", c)?,
            narrow("job paid metal", m)?,
            narrow("job paid crystal", x)?,
        ],
    })
}
