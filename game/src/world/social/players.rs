//! Friends, mail and presence (SPEC.md §22): what belongs to players rather than to the
//! region. The tick does not hold it: it checks what it can alone (the text rules, a player
//! naming itself), hands each change to the runtime as a [`PlayerOp`] for the cluster's
//! database, and answers the command when the database's outcome comes back
//! ([`PlayerOpDone`], a few ticks later). The outcome's [`SocialNote`]s go to the players
//! concerned through the cluster's bus (or, in the all-in-one, straight back to this region),
//! and every region hands each note to its own sessions of those players.
//!
//! Presence is the region's: a player is `InGame` while it has a session here and commanded
//! within `[social] idle_secs`, `Online` while idle longer, and `Offline` when its last session
//! here ends. Each change is a [`PlayerOp::Presence`] (recorded, and told to its friends).

use super::SocialSettings;
use super::chat::ChatRelay;
use crate::world::commands::orders::{Order, Replies};
use crate::world::io::{Outbox, SessionKey};
use crate::world::resources::TickCount;
use crate::world::sessions::Sessions;
use bevy_ecs::prelude::*;
use starlane_cluster::SocialNote;
use starlane_protocol::CommandError;
use starlane_protocol::link::LinkServerMsg;
use starlane_protocol::social::{MailId, Presence, SocialMsg, UserId};
use std::collections::{HashMap, HashSet};

/// A change to players' friends, mail or presence, or a session's friends and mailbox, for
/// the runtime to apply to the cluster's database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlayerOp {
    /// `user` asks `friend` to be friends, or accepts its request.
    AddFriend { user: UserId, friend: UserId },
    /// `user` ends its friendship or request with `friend`.
    RemoveFriend { user: UserId, friend: UserId },
    /// `from` sends `text` to `to`'s mailbox.
    SendMail {
        from: UserId,
        to: UserId,
        text: String,
    },
    /// `user` deletes mail `id` from its mailbox.
    DeleteMail { user: UserId, id: MailId },
    /// A session of `user` opened: its friends, requests and mailbox.
    Greet { user: UserId },
    /// `user` is now `presence` in this region.
    Presence { user: UserId, presence: Presence },
}

/// Who waits for a [`PlayerOp`]'s outcome.
#[derive(Debug, Clone, Copy)]
pub enum OpAnswer {
    /// The command that asked for it: answered with the outcome's result.
    Command(Order),
    /// The session being greeted: sent the outcome's greeting.
    Session(SessionKey),
    /// Nobody (a presence change).
    Nobody,
}

/// A [`PlayerOp`] and who waits for it.
#[derive(Debug, Clone)]
pub struct PlayerOpRequest {
    pub answer: OpAnswer,
    pub op: PlayerOp,
}

/// What applying a [`PlayerOp`] gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlayerOpOutcome {
    /// The command's answer (`Ok` for the others). `RateLimited` when the database could not
    /// be reached: nothing was changed and the client may send it again.
    pub result: Result<(), CommandError>,
    /// News for players, wherever they play.
    pub notes: Vec<SocialNote>,
    /// For [`OpAnswer::Session`]: the session's friends, requests and mailbox.
    pub greeting: Vec<SocialMsg>,
}

impl PlayerOpOutcome {
    /// An outcome with `result` and nothing else.
    pub fn answer(result: Result<(), CommandError>) -> Self {
        Self {
            result,
            notes: Vec::new(),
            greeting: Vec::new(),
        }
    }
}

/// A [`PlayerOpRequest`]'s outcome, back from the runtime.
#[derive(Debug, Clone)]
pub struct PlayerOpDone {
    pub answer: OpAnswer,
    pub outcome: PlayerOpOutcome,
}

/// The database's limits on friends and mail (`[social]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlayerLimits {
    /// Most friends and requests of one player, and requests waiting on one player.
    pub max_friends: u32,
    /// Most mails in one mailbox.
    pub mailbox_max: u32,
}

/// Operations waiting for the runtime.
#[derive(Resource, Debug, Default)]
pub struct PlayerOps(pub Vec<PlayerOpRequest>);

/// Outcomes back from the runtime, for this tick.
#[derive(Resource, Debug, Default)]
pub struct PlayerOpResults(pub Vec<PlayerOpDone>);

/// Notes to publish on the cluster's bus (or, with no cluster, to deliver here).
#[derive(Resource, Debug, Default)]
pub struct NoteOutbox(pub Vec<SocialNote>);

/// Notes from the bus, for this region's sessions.
#[derive(Resource, Debug, Default)]
pub struct NoteInbox(pub Vec<SocialNote>);

/// Users who sent a command this tick (marked by the command gate).
#[derive(Resource, Debug, Default)]
pub struct ActiveUsers(pub HashSet<i64>);

/// The presence this region holds for each of its players, and when each last commanded.
#[derive(Resource, Debug, Default)]
pub struct Presences {
    /// By user id: its presence and the tick of its last command.
    pub users: HashMap<i64, (Presence, u32)>,
    /// Sessions opened or closed since the last look at them (set by the lifecycle step).
    pub sessions_changed: bool,
    /// A greeting failed (database unreachable, op queue full): the sessions are looked at
    /// again at the next idle scan, and those not greeted asked for again.
    pub regreet: bool,
}

/// Ticks between two looks for idle players when no session opened or closed.
const IDLE_SCAN_EVERY: u32 = 20;

/// Player-layer counters (`starlane_region_social_*`).
#[derive(Resource, Debug, Default, Clone, Copy)]
pub struct PlayerCounters {
    /// Notes received (from the bus, or this region's own).
    pub notes: u64,
    /// Messages from notes handed to sessions.
    pub delivered: u64,
}

/// Answer the operations whose outcome came back: the command's reply, the session's
/// greeting (or, when it failed, a new try at the next idle scan), and the notes for the
/// bus.
pub(crate) fn answer_player_ops(
    mut results: ResMut<PlayerOpResults>,
    mut sessions: ResMut<Sessions>,
    mut presences: ResMut<Presences>,
    mut replies: ResMut<Replies>,
    mut outbox: ResMut<Outbox>,
    mut notes: ResMut<NoteOutbox>,
) {
    for done in results.0.drain(..) {
        let PlayerOpOutcome {
            result,
            notes: news,
            greeting,
        } = done.outcome;
        match done.answer {
            OpAnswer::Command(order) => replies.0.push(order.reply(result)),
            OpAnswer::Session(key) => match sessions.map.get_mut(&key) {
                Some(s) if result.is_err() => {
                    s.players_sent = false;
                    presences.regreet = true;
                }
                Some(_) => {
                    let to = outbox.sessions.entry(key).or_default();
                    to.extend(greeting.into_iter().map(LinkServerMsg::Social));
                }
                None => {}
            },
            OpAnswer::Nobody => {}
        }
        notes.0.extend(news);
    }
}

/// Ask for each new session's friends and mailbox, and follow its players' presence: a
/// command brings an idle player back at once; sessions are looked at when some opened or
/// closed (or, once a second, while a greeting failed), and for idleness once a second, so a
/// quiet tick costs nothing per session.
pub(crate) fn track_players(
    settings: Res<SocialSettings>,
    tick: Res<TickCount>,
    mut sessions: ResMut<Sessions>,
    mut active: ResMut<ActiveUsers>,
    mut presences: ResMut<Presences>,
    mut ops: ResMut<PlayerOps>,
) {
    let now = tick.0;
    let mut changes = Vec::new();
    for user in active.0.drain() {
        if let Some((state, last)) = presences.users.get_mut(&user) {
            *last = now;
            if *state != Presence::InGame {
                *state = Presence::InGame;
                changes.push((user, Presence::InGame));
            }
        }
    }
    let regreet = presences.regreet && now.is_multiple_of(IDLE_SCAN_EVERY);
    if std::mem::take(&mut presences.sessions_changed) || regreet {
        presences.regreet = false;
        let mut here: HashSet<i64> = HashSet::new();
        for (key, s) in &mut sessions.map {
            here.insert(s.user_id);
            if !s.players_sent {
                s.players_sent = true;
                if let Ok(user) = u64::try_from(s.user_id) {
                    ops.0.push(PlayerOpRequest {
                        answer: OpAnswer::Session(*key),
                        op: PlayerOp::Greet { user },
                    });
                }
            }
        }
        presences.users.retain(|user, _| {
            let stays = here.contains(user);
            if !stays {
                changes.push((*user, Presence::Offline));
            }
            stays
        });
        for user in here {
            presences.users.entry(user).or_insert_with(|| {
                changes.push((user, Presence::InGame));
                (Presence::InGame, now)
            });
        }
    }
    if now.is_multiple_of(IDLE_SCAN_EVERY) {
        for (user, (state, last)) in &mut presences.users {
            if *state == Presence::InGame && now.saturating_sub(*last) >= settings.idle_ticks {
                *state = Presence::Online;
                changes.push((*user, Presence::Online));
            }
        }
    }
    for (user, presence) in changes {
        if let Ok(user) = u64::try_from(user) {
            ops.0.push(PlayerOpRequest {
                answer: OpAnswer::Nobody,
                op: PlayerOp::Presence { user, presence },
            });
        }
    }
}

/// Hand the notes (from the bus, or with no cluster this tick's own) to the sessions of the
/// players they are for.
pub(crate) fn deliver_notes(
    settings: Res<SocialSettings>,
    (mut inbox, mut sent): (ResMut<NoteInbox>, ResMut<NoteOutbox>),
    sessions: Res<Sessions>,
    mut outbox: ResMut<Outbox>,
    mut counters: ResMut<PlayerCounters>,
) {
    if settings.relay == ChatRelay::Local {
        inbox.0.append(&mut sent.0);
    }
    if inbox.0.is_empty() {
        return;
    }
    let mut by_user: HashMap<u64, Vec<SessionKey>> = HashMap::new();
    for (key, s) in &sessions.map {
        if let Ok(user) = u64::try_from(s.user_id) {
            by_user.entry(user).or_default().push(*key);
        }
    }
    for note in inbox.0.drain(..) {
        counters.notes += 1;
        for key in note.to.iter().filter_map(|u| by_user.get(u)).flatten() {
            counters.delivered += 1;
            outbox
                .sessions
                .entry(*key)
                .or_default()
                .push(LinkServerMsg::Social(note.msg.clone()));
        }
    }
}
