//! Mail in the cluster's database (migration 0006; SPEC.md §22.2): kept until its recipient
//! deletes it. Each call is one transaction; on PostgreSQL sending locks the recipient's row
//! first, so two regions never both fill the last place of one mailbox. Texts were checked
//! when players sent them; they are checked again on reading, so a row changed by hand
//! cannot reach a client.

use super::friends::{Shown, presence_of, shown_pair, stored};
use super::{Pool, Store, StoreError, narrow, on_pool, unix_now};
use crate::metrics::DbOp;
use crate::world::social::{PlayerLimits, PlayerOpOutcome};
use sqlx::Row;
use starlane_cluster::SocialNote;
use starlane_protocol::CommandError;
use starlane_protocol::social::{
    MAX_MAIL_BYTES, MAX_PLAYER_NAME_BYTES, MailId, MailItem, SocialMsg, UserId, check_text,
    clean_name,
};

impl Store {
    /// Store `text` from `from` in `to`'s mailbox (SPEC.md §22.2; the text was checked).
    pub async fn send_mail(
        &self,
        from: UserId,
        to: UserId,
        text: &str,
        limits: PlayerLimits,
    ) -> Result<PlayerOpOutcome, StoreError> {
        let (sender, recipient) = (stored(from), stored(to));
        let lock = self.lock_players();
        let max = i64::from(limits.mailbox_max);
        let now = unix_now();
        let call = async {
            on_pool!(self, p => {
                let mut tx = p.begin().await?;
                if let Some(lock) = lock {
                    sqlx::query(lock).bind(recipient).bind(recipient).fetch_all(&mut *tx).await?;
                }
                let shown = shown_pair!(tx, sender, recipient);
                if !shown.contains_key(&recipient) {
                    return Ok(PlayerOpOutcome::answer(Err(CommandError::UnknownPlayer)));
                }
                let count = "SELECT COUNT(*) AS n FROM mail WHERE to_user = $1";
                let n: i64 = sqlx::query(count).bind(recipient).fetch_one(&mut *tx).await?
                    .try_get("n")?;
                if n >= max {
                    return Ok(PlayerOpOutcome::answer(Err(CommandError::MailboxFull)));
                }
                let bump = "UPDATE id_counters SET next_id = next_id + 1 WHERE name = 'mail' \
                            RETURNING next_id";
                let next: i64 = sqlx::query(bump).fetch_one(&mut *tx).await?.try_get("next_id")?;
                let id = next - 1;
                let from_name = shown.get(&sender).map_or(String::new(), |s: &Shown| s.name.clone());
                let insert = "INSERT INTO mail (id, to_user, from_user, from_name, sent_at, body) \
                              VALUES ($1, $2, $3, $4, $5, $6)";
                sqlx::query(insert)
                    .bind(id)
                    .bind(recipient)
                    .bind(sender)
                    .bind(from_name.clone())
                    .bind(now)
                    .bind(text)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                let item = MailItem {
                    id: narrow("mail id", id)?,
                    from,
                    from_name,
                    sent_at: narrow("mail time", now)?,
                    text: text.to_owned(),
                };
                let mut out = PlayerOpOutcome::answer(Ok(()));
                out.notes.push(SocialNote { to: vec![to], msg: SocialMsg::Mail(item) });
                Ok(out)
            })
        };
        self.metrics.time(DbOp::Social, call).await
    }

    /// Delete mail `id` from `user`'s mailbox (SPEC.md §22.2).
    pub async fn delete_mail(
        &self,
        user: UserId,
        id: MailId,
    ) -> Result<PlayerOpOutcome, StoreError> {
        let (me, id_stored) = (stored(user), i64::try_from(id).unwrap_or(-1));
        let delete = "DELETE FROM mail WHERE id = $1 AND to_user = $2";
        let call = async {
            let gone = on_pool!(self, p => {
                sqlx::query(delete).bind(id_stored).bind(me).execute(p).await?.rows_affected()
            });
            if gone == 0 {
                return Ok(PlayerOpOutcome::answer(Err(CommandError::UnknownMail)));
            }
            let mut out = PlayerOpOutcome::answer(Ok(()));
            out.notes.push(SocialNote {
                to: vec![user],
                msg: SocialMsg::MailGone { id },
            });
            Ok(out)
        };
        self.metrics.time(DbOp::Social, call).await
    }

    /// What a session of `user` gets when it opens (SPEC.md §22.1, §22.2): a `Friend` per
    /// friend and request, then a `Mail` per mail, oldest first.
    pub async fn greeting(
        &self,
        user: UserId,
        limits: PlayerLimits,
    ) -> Result<PlayerOpOutcome, StoreError> {
        let call = async {
            let mut greeting = self.friends_of(user).await?;
            let mails = self.mailbox(user, limits.mailbox_max).await?;
            greeting.extend(mails.into_iter().map(SocialMsg::Mail));
            let mut out = PlayerOpOutcome::answer(Ok(()));
            out.greeting = greeting;
            Ok(out)
        };
        self.metrics.time(DbOp::Social, call).await
    }

    /// `user`'s mailbox, oldest first, at most `limit` mails. A stored mail whose text or
    /// sender's name breaks the rules is left out (and logged).
    pub(super) async fn mailbox(
        &self,
        user: UserId,
        limit: u32,
    ) -> Result<Vec<MailItem>, StoreError> {
        let select = "SELECT id, from_user, from_name, sent_at, body FROM mail \
                      WHERE to_user = $1 ORDER BY id LIMIT $2";
        let rows = on_pool!(self, p => {
            let mut rows = Vec::new();
            for row in sqlx::query(select)
                .bind(stored(user))
                .bind(i64::from(limit))
                .fetch_all(p)
                .await?
            {
                let cols: (i64, i64, String, i64, String) = (
                    row.try_get("id")?,
                    row.try_get("from_user")?,
                    row.try_get("from_name")?,
                    row.try_get("sent_at")?,
                    row.try_get("body")?,
                );
                rows.push(cols);
            }
            rows
        });
        let mut mails = Vec::with_capacity(rows.len());
        for (id, from, from_name, sent_at, text) in rows {
            let name_ok = clean_name(&from_name, MAX_PLAYER_NAME_BYTES) == from_name;
            if !name_ok || check_text(&text, MAX_MAIL_BYTES, true).is_err() {
                tracing::warn!(id, "stored mail breaks the text rules; not sent");
                continue;
            }
            mails.push(MailItem {
                id: narrow("mail id", id)?,
                from: narrow("mail sender", from)?,
                from_name,
                sent_at: narrow("mail time", sent_at)?,
                text,
            });
        }
        Ok(mails)
    }
}
