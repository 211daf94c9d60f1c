//! The social part of a world snapshot: alliances, members and invitations (migration 0005),
//! written and read inside the snapshot's transaction. Macros, as [`super::vision`], so one
//! text serves both backends' transaction types. Names were checked when players gave them;
//! they are checked again on reading, so a row changed by hand cannot reach a client.

use super::{StoreError, narrow};
use crate::records::{AllianceRecord, MemberRecord, SocialRecord};
use starlane_protocol::social::{
    AllianceRole, MAX_ALLIANCE_NAME_BYTES, MAX_PLAYER_NAME_BYTES, check_text,
};
use std::collections::BTreeMap;

/// Rows per INSERT (at most 6 parameters each: under both backends' limits).
pub(super) const SOCIAL_ROWS_PER_INSERT: usize = 400;

/// Replace the stored alliances of `$region` by `$social` (a `SocialRecord`) in `$tx`.
macro_rules! write_social {
    ($tx:expr, $region:expr, $social:expr) => {{
        for delete in [
            "DELETE FROM alliances WHERE region = $1",
            "DELETE FROM alliance_members WHERE region = $1",
            "DELETE FROM alliance_invites WHERE region = $1",
        ] {
            sqlx::query(delete).bind($region).execute(&mut *$tx).await?;
        }
        let alliances = &$social.alliances;
        for chunk in alliances.chunks(super::social::SOCIAL_ROWS_PER_INSERT) {
            let mut insert = sqlx::QueryBuilder::new("INSERT INTO alliances (region, id, name) ");
            insert.push_values(chunk, |mut b, a| {
                b.push_bind($region.to_owned())
                    .push_bind(i64::from(a.id))
                    .push_bind(a.name.clone());
            });
            insert.build().execute(&mut *$tx).await?;
        }
        let members: Vec<(u32, &crate::records::MemberRecord)> = alliances
            .iter()
            .flat_map(|a| a.members.iter().map(move |m| (a.id, m)))
            .collect();
        for chunk in members.chunks(super::social::SOCIAL_ROWS_PER_INSERT) {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO alliance_members (region, alliance, empire, role, since, name) ",
            );
            insert.push_values(chunk, |mut b, (id, m)| {
                b.push_bind($region.to_owned())
                    .push_bind(i64::from(*id))
                    .push_bind(i64::from(m.empire))
                    .push_bind(i64::from(m.role.code()))
                    .push_bind(i64::try_from(m.since).unwrap_or(i64::MAX))
                    .push_bind(m.name.clone());
            });
            insert.build().execute(&mut *$tx).await?;
        }
        let invites: Vec<(u32, (u32, u32))> = alliances
            .iter()
            .flat_map(|a| a.invites.iter().map(move |i| (a.id, *i)))
            .collect();
        for chunk in invites.chunks(super::social::SOCIAL_ROWS_PER_INSERT) {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO alliance_invites (region, alliance, empire, inviter) ",
            );
            insert.push_values(chunk, |mut b, (id, (empire, from))| {
                b.push_bind($region.to_owned())
                    .push_bind(i64::from(*id))
                    .push_bind(i64::from(*empire))
                    .push_bind(i64::from(*from));
            });
            insert.build().execute(&mut *$tx).await?;
        }
    }};
}
pub(super) use write_social;

/// Read the stored alliance rows of `$region` in `$tx`, as raw values for
/// [`social_from_rows`].
macro_rules! read_social {
    ($tx:expr, $region:expr) => {{
        let mut alliances = Vec::new();
        let q = "SELECT id, name FROM alliances WHERE region = $1 ORDER BY id";
        for row in sqlx::query(q).bind($region).fetch_all(&mut *$tx).await? {
            alliances.push((
                row.try_get::<i64, _>("id")?,
                row.try_get::<String, _>("name")?,
            ));
        }
        let mut members = Vec::new();
        let q = "SELECT alliance, empire, role, since, name FROM alliance_members \
                 WHERE region = $1 ORDER BY alliance, empire";
        for row in sqlx::query(q).bind($region).fetch_all(&mut *$tx).await? {
            members.push((
                [
                    row.try_get::<i64, _>("alliance")?,
                    row.try_get::<i64, _>("empire")?,
                    row.try_get::<i64, _>("role")?,
                    row.try_get::<i64, _>("since")?,
                ],
                row.try_get::<String, _>("name")?,
            ));
        }
        let mut invites = Vec::new();
        let q = "SELECT alliance, empire, inviter FROM alliance_invites WHERE region = $1 \
                 ORDER BY alliance, empire";
        for row in sqlx::query(q).bind($region).fetch_all(&mut *$tx).await? {
            invites.push([
                row.try_get::<i64, _>("alliance")?,
                row.try_get::<i64, _>("empire")?,
                row.try_get::<i64, _>("inviter")?,
            ]);
        }
        (alliances, members, invites)
    }};
}
pub(super) use read_social;

/// A stored text that breaks the text rules: corrupt. `may_be_empty`: a member's name may be
/// (a player never seen with one); an alliance name may not.
fn checked(
    what: &'static str,
    text: String,
    max: usize,
    may_be_empty: bool,
) -> Result<String, StoreError> {
    if text.is_empty() && may_be_empty {
        return Ok(text);
    }
    match check_text(&text, max, false) {
        Ok(()) => Ok(text),
        Err(_) => Err(StoreError::Corrupt {
            what,
            value: i64::try_from(text.len()).unwrap_or(i64::MAX),
        }),
    }
}

/// The raw rows of [`read_social`], every value checked; members and invitations of an
/// alliance that is not stored are corrupt.
pub(super) fn social_from_rows(
    alliances: Vec<(i64, String)>,
    members: Vec<([i64; 4], String)>,
    invites: Vec<[i64; 3]>,
) -> Result<SocialRecord, StoreError> {
    let mut by_id = BTreeMap::new();
    for (id, name) in alliances {
        let id: u32 = narrow("alliance id", id)?;
        let name = checked("alliance name", name, MAX_ALLIANCE_NAME_BYTES, false)?;
        by_id.insert(
            id,
            AllianceRecord {
                id,
                name,
                members: Vec::new(),
                invites: Vec::new(),
            },
        );
    }
    let orphan = |value: i64| StoreError::Corrupt {
        what: "alliance of a member or invitation",
        value,
    };
    for ([alliance, empire, role, since], name) in members {
        let a = by_id
            .get_mut(&narrow::<u32>("member alliance", alliance)?)
            .ok_or(orphan(alliance))?;
        a.members.push(MemberRecord {
            empire: narrow("member empire", empire)?,
            role: u8::try_from(role)
                .ok()
                .and_then(AllianceRole::from_u8)
                .ok_or(StoreError::Corrupt {
                    what: "member role",
                    value: role,
                })?,
            since: narrow("member since", since)?,
            name: checked("member name", name, MAX_PLAYER_NAME_BYTES, true)?,
        });
    }
    for [alliance, empire, inviter] in invites {
        let a = by_id
            .get_mut(&narrow::<u32>("invite alliance", alliance)?)
            .ok_or(orphan(alliance))?;
        a.invites.push((
            narrow("invited empire", empire)?,
            narrow("inviting empire", inviter)?,
        ));
    }
    Ok(SocialRecord {
        alliances: by_id.into_values().collect(),
    })
}
