//! The notice a region restored from a snapshot sends its sessions (`WorldRestored`, LINK.md
//! §6.2): right after the `Joined` of every session opened (`Join` or `Rejoin`) within the
//! notice window after the start (`[store] restore_notice_secs`), once per client command
//! stream (a client resuming on another edge is not told twice), or once per session when
//! its stream is `0`. The window covers the edges re-announcing their held sessions and the
//! clients whose sessions ended meanwhile joining again; after it the set of those told is
//! dropped. A region that started without a snapshot sends nothing.

use crate::world::io::{LinkId, Outbox, SessionKey};
use crate::world::resources::TickCount;
use bevy_ecs::prelude::*;
use starlane_protocol::NoticeKind;
use starlane_protocol::link::{PlayerIdentity, RegionToEdge, SessionId, SessionNotice};
use std::collections::HashSet;

/// Who was told: a client's command stream, or a session when it has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Told {
    Stream { user_id: i64, stream: u64 },
    Session(SessionKey),
}

/// The pending restore notice (none for a region that started fresh, and none once its
/// window has passed).
#[derive(Resource, Debug, Default)]
pub struct RestoreNotice(Option<Pending>);

#[derive(Debug)]
struct Pending {
    text: String,
    /// Sessions opened before this tick are told.
    until_tick: u32,
    told: HashSet<Told>,
}

impl RestoreNotice {
    /// Tell the sessions opened in the next `window_ticks` ticks after `now_tick` `text`.
    pub fn new(text: String, now_tick: u32, window_ticks: u32) -> Self {
        Self(Some(Pending {
            text,
            until_tick: now_tick.saturating_add(window_ticks),
            told: HashSet::new(),
        }))
    }

    /// Whether sessions opened now would still be told.
    pub fn is_pending(&self) -> bool {
        self.0.is_some()
    }
}

/// The session `(link, session)` of `player` was just opened (its `Joined` is queued): queue
/// the notice after it when one is pending and this client was not told yet.
pub(super) fn after_joined(
    world: &mut World,
    link: LinkId,
    session: SessionId,
    player: &PlayerIdentity,
) {
    let tick = world.resource::<TickCount>().0;
    let mut notice = world.resource_mut::<RestoreNotice>();
    let Some(pending) = notice.0.as_mut() else {
        return;
    };
    if tick >= pending.until_tick {
        notice.0 = None;
        return;
    }
    let who = match player.command_stream {
        0 => Told::Session((link, session)),
        stream => Told::Stream {
            user_id: player.user_id,
            stream,
        },
    };
    if !pending.told.insert(who) {
        return;
    }
    let notice = SessionNotice::new(session, NoticeKind::WorldRestored, &pending.text);
    world
        .resource_mut::<Outbox>()
        .control
        .push((link, RegionToEdge::Notice(notice)));
}

/// The notice's text: when the snapshot was taken (tick and UTC time from Unix seconds
/// `taken_at`) and how much play may have been lost (`interval_secs`, the snapshot interval).
pub fn restored_text(tick: u32, taken_at: i64, interval_secs: u32) -> String {
    format!(
        "the region restarted from its snapshot of {} (tick {tick}); up to {interval_secs} s \
         of play before it may be lost",
        utc(taken_at)
    )
}

/// `YYYY-MM-DD hh:mm:ss UTC` of Unix seconds (proleptic Gregorian calendar).
fn utc(unix: i64) -> String {
    let (days, secs) = (unix.div_euclid(86_400), unix.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (H. Hinnant's `civil_from_days`).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc(1_796_335_200), "2026-12-03 22:00:00 UTC");
        assert_eq!(utc(-1), "1969-12-31 23:59:59 UTC");
    }

    #[test]
    fn the_text_names_the_snapshot_and_the_interval() {
        let t = restored_text(7200, 1_796_335_200, 5);
        assert_eq!(
            t,
            "the region restarted from its snapshot of 2026-12-03 22:00:00 UTC (tick 7200); \
             up to 5 s of play before it may be lost"
        );
    }
}
