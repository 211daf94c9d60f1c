//! Friends and presence in the cluster's database (migration 0006; SPEC.md §22.1, §22.3).
//! Each call is one transaction. On PostgreSQL, where regions change the same players at the
//! same time, a friend change first locks both players' rows in user-id order, so two
//! players asking for each other at once end as friends, never as two requests; SQLite
//! serves one region and writes one at a time.

use super::{Pool, Store, StoreError, on_pool, unix_now};
use crate::metrics::DbOp;
use crate::world::social::{PlayerLimits, PlayerOpOutcome};
use sqlx::Row;
use starlane_cluster::SocialNote;
use starlane_protocol::CommandError;
use starlane_protocol::social::{
    FriendState, MAX_PLAYER_NAME_BYTES, Presence, SocialMsg, UserId, clean_name,
};
use std::collections::BTreeMap;

/// A user id as stored (ids on the wire are below 2^53; anything else matches no player).
pub(super) fn stored(user: UserId) -> i64 {
    i64::try_from(user).unwrap_or(-1)
}

/// A stored presence code (an unknown one reads `Offline`).
pub(super) fn presence_of(code: i64) -> Presence {
    u8::try_from(code)
        .ok()
        .and_then(Presence::from_u8)
        .unwrap_or(Presence::Offline)
}

/// A stored player as the social layer shows it: its name and presence.
#[derive(Debug, Clone)]
pub(super) struct Shown {
    pub name: String,
    pub presence: Presence,
}

/// The `Friend` message telling a player about `user`.
fn friend_msg(user: UserId, shown: &Shown, state: FriendState) -> SocialMsg {
    let presence = if state == FriendState::Friends {
        shown.presence
    } else {
        Presence::Offline
    };
    SocialMsg::Friend {
        user,
        name: shown.name.clone(),
        state,
        presence,
    }
}

fn note(to: UserId, msg: SocialMsg) -> SocialNote {
    SocialNote { to: vec![to], msg }
}

/// Read the names and presences of the players among `$ids` (two user ids) in `$tx`.
macro_rules! shown_pair {
    ($tx:expr, $a:expr, $b:expr) => {{
        let sql = "SELECT user_id, username, presence FROM players \
                   WHERE user_id = $1 OR user_id = $2";
        let mut shown = std::collections::BTreeMap::new();
        for row in sqlx::query(sql)
            .bind($a)
            .bind($b)
            .fetch_all(&mut *$tx)
            .await?
        {
            let user: i64 = row.try_get("user_id")?;
            let name: String = row.try_get("username")?;
            let presence: i64 = row.try_get("presence")?;
            shown.insert(
                user,
                Shown {
                    name: clean_name(&name, MAX_PLAYER_NAME_BYTES),
                    presence: presence_of(presence),
                },
            );
        }
        shown
    }};
}
pub(super) use shown_pair;

impl Store {
    /// The statement that locks two players' rows in user-id order (PostgreSQL only).
    pub(super) fn lock_players(&self) -> Option<&'static str> {
        match self.pool {
            Pool::Postgres(_) => Some(
                "SELECT user_id FROM players WHERE user_id = $1 OR user_id = $2 \
                 ORDER BY user_id FOR UPDATE",
            ),
            Pool::Sqlite(_) => None,
        }
    }

    /// `user` asks `friend` to be friends, or accepts its request (SPEC.md §22.1).
    pub async fn add_friend(
        &self,
        user: UserId,
        friend: UserId,
        limits: PlayerLimits,
    ) -> Result<PlayerOpOutcome, StoreError> {
        let (a, b) = (stored(user), stored(friend));
        let max = i64::from(limits.max_friends);
        let lock = self.lock_players();
        let call = async {
            on_pool!(self, p => {
                let mut tx = p.begin().await?;
                if let Some(lock) = lock {
                    sqlx::query(lock).bind(a).bind(b).fetch_all(&mut *tx).await?;
                }
                let shown = shown_pair!(tx, a, b);
                let (Some(me), Some(them)) = (shown.get(&a), shown.get(&b)) else {
                    return Ok(PlayerOpOutcome::answer(Err(CommandError::UnknownPlayer)));
                };
                let asked = "SELECT user_id FROM friends WHERE (user_id = $1 AND friend_id = $2) \
                             OR (user_id = $2 AND friend_id = $1)";
                let rows = sqlx::query(asked).bind(a).bind(b).fetch_all(&mut *tx).await?;
                let askers: Vec<i64> =
                    rows.iter().map(|r| r.try_get("user_id")).collect::<Result<_, _>>()?;
                let (mine, theirs) = (askers.contains(&a), askers.contains(&b));
                if mine {
                    return Ok(PlayerOpOutcome::answer(Ok(())));
                }
                let held = "SELECT COUNT(*) AS n FROM friends WHERE user_id = $1";
                let n: i64 = sqlx::query(held).bind(a).fetch_one(&mut *tx).await?.try_get("n")?;
                let waiting = "SELECT COUNT(*) AS n FROM friends f WHERE f.friend_id = $1 \
                               AND NOT EXISTS (SELECT 1 FROM friends g \
                               WHERE g.user_id = $1 AND g.friend_id = f.user_id)";
                let full = n >= max
                    || (!theirs
                        && sqlx::query(waiting)
                            .bind(b)
                            .fetch_one(&mut *tx)
                            .await?
                            .try_get::<i64, _>("n")?
                            >= max);
                if full {
                    return Ok(PlayerOpOutcome::answer(Err(CommandError::FriendLimit)));
                }
                let insert = "INSERT INTO friends (user_id, friend_id, since) VALUES ($1, $2, $3)";
                sqlx::query(insert).bind(a).bind(b).bind(unix_now()).execute(&mut *tx).await?;
                tx.commit().await?;
                let (mine, theirs) = if theirs {
                    (FriendState::Friends, FriendState::Friends)
                } else {
                    (FriendState::Requested, FriendState::Asked)
                };
                let mut out = PlayerOpOutcome::answer(Ok(()));
                out.notes.push(note(user, friend_msg(friend, them, mine)));
                out.notes.push(note(friend, friend_msg(user, me, theirs)));
                Ok(out)
            })
        };
        self.metrics.time(DbOp::Social, call).await
    }

    /// `user` ends its friendship or request with `friend` (SPEC.md §22.1).
    pub async fn remove_friend(
        &self,
        user: UserId,
        friend: UserId,
    ) -> Result<PlayerOpOutcome, StoreError> {
        let (a, b) = (stored(user), stored(friend));
        let call = async {
            on_pool!(self, p => {
                let mut tx = p.begin().await?;
                let delete = "DELETE FROM friends WHERE (user_id = $1 AND friend_id = $2) \
                              OR (user_id = $2 AND friend_id = $1)";
                let gone = sqlx::query(delete).bind(a).bind(b).execute(&mut *tx).await?;
                let shown = shown_pair!(tx, a, b);
                tx.commit().await?;
                let mut out = PlayerOpOutcome::answer(Ok(()));
                if gone.rows_affected() > 0
                    && let (Some(me), Some(them)) = (shown.get(&a), shown.get(&b))
                {
                    out.notes.push(note(user, friend_msg(friend, them, FriendState::None)));
                    out.notes.push(note(friend, friend_msg(user, me, FriendState::None)));
                }
                Ok(out)
            })
        };
        self.metrics.time(DbOp::Social, call).await
    }

    /// `user`'s friends and requests either way, each as the `Friend` message it reads.
    pub(super) async fn friends_of(&self, user: UserId) -> Result<Vec<SocialMsg>, StoreError> {
        let me = stored(user);
        let rows = "SELECT f.user_id AS asker, f.friend_id AS asked, p.username, p.presence \
                    FROM friends f JOIN players p ON p.user_id = \
                    CASE WHEN f.user_id = $1 THEN f.friend_id ELSE f.user_id END \
                    WHERE f.user_id = $1 OR f.friend_id = $1";
        // Per other player: its name and presence, whether `user` asked, whether it did.
        let mut others: BTreeMap<i64, (Shown, bool, bool)> = BTreeMap::new();
        on_pool!(self, p => {
            for row in sqlx::query(rows).bind(me).fetch_all(p).await? {
                let asker: i64 = row.try_get("asker")?;
                let asked: i64 = row.try_get("asked")?;
                let name: String = row.try_get("username")?;
                let presence: i64 = row.try_get("presence")?;
                let other = if asker == me { asked } else { asker };
                let shown = Shown {
                    name: clean_name(&name, MAX_PLAYER_NAME_BYTES),
                    presence: presence_of(presence),
                };
                let entry = others.entry(other).or_insert((shown, false, false));
                if asker == me {
                    entry.1 = true;
                } else {
                    entry.2 = true;
                }
            }
        });
        Ok(others
            .into_iter()
            .filter_map(|(other, (shown, mine, theirs))| {
                let state = match (mine, theirs) {
                    (true, true) => FriendState::Friends,
                    (true, false) => FriendState::Requested,
                    (false, true) => FriendState::Asked,
                    (false, false) => return None,
                };
                Some(friend_msg(u64::try_from(other).ok()?, &shown, state))
            })
            .collect())
    }

    /// Record that `user` is `presence` in `region` and tell its friends. `Offline` is
    /// recorded only if `region` holds the player's presence (it may play on elsewhere).
    pub async fn set_presence(
        &self,
        user: UserId,
        presence: Presence,
        region: &str,
    ) -> Result<PlayerOpOutcome, StoreError> {
        let me = stored(user);
        let code = i64::from(presence.code());
        let update = if presence == Presence::Offline {
            "UPDATE players SET presence = $2 WHERE user_id = $1 AND presence_region = $3"
        } else {
            "UPDATE players SET presence = $2, presence_region = $3 WHERE user_id = $1"
        };
        let friends = "SELECT f.friend_id FROM friends f JOIN friends g \
                       ON g.user_id = f.friend_id AND g.friend_id = f.user_id \
                       WHERE f.user_id = $1";
        let call = async {
            on_pool!(self, p => {
                let mut tx = p.begin().await?;
                let changed = sqlx::query(update)
                    .bind(me)
                    .bind(code)
                    .bind(region)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                let mut to = Vec::new();
                if changed > 0 {
                    for row in sqlx::query(friends).bind(me).fetch_all(&mut *tx).await? {
                        let friend: i64 = row.try_get("friend_id")?;
                        to.extend(u64::try_from(friend).ok());
                    }
                }
                tx.commit().await?;
                let mut out = PlayerOpOutcome::answer(Ok(()));
                if !to.is_empty() {
                    let msg = SocialMsg::Presence { user, presence };
                    out.notes.push(SocialNote { to, msg });
                }
                Ok(out)
            })
        };
        self.metrics.time(DbOp::Social, call).await
    }

    /// Mark `Offline` the players `region` had recorded as present (their sessions ended
    /// with the region's previous run), returning the notes for their friends.
    pub async fn reset_presence(&self, region: &str) -> Result<Vec<SocialNote>, StoreError> {
        let present = "SELECT user_id FROM players WHERE presence_region = $1 AND presence <> 0";
        let users: Vec<i64> = on_pool!(self, p => {
            sqlx::query(present)
                .bind(region)
                .fetch_all(p)
                .await?
                .iter()
                .map(|r| r.try_get("user_id"))
                .collect::<Result<_, _>>()?
        });
        let mut notes = Vec::new();
        for user in users.into_iter().filter_map(|u| u64::try_from(u).ok()) {
            notes.extend(
                self.set_presence(user, Presence::Offline, region)
                    .await?
                    .notes,
            );
        }
        Ok(notes)
    }
}
