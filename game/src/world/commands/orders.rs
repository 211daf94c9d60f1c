//! Player commands. `gate_commands` drops commands of unknown sessions, applies the
//! per-user rate limit and routes each command to the queue of its kind; one system per
//! kind applies them (`super::unit_orders`); `send_replies` sends every ack and rejection in
//! the order the commands arrived.

use super::dedup::{CommandDedup, Seen};
use super::{CommandSettings, KindLimits, RateLimits};
use crate::world::io::{Outbox, SessionKey};
use crate::world::resources::{Counters, TickCount};
use crate::world::social::players::ActiveUsers;
use bevy_ecs::prelude::*;
use starlane_protocol::link::LinkServerMsg;
use starlane_protocol::{
    Command, CommandError, EmpireId, EntityId, EntityKind, Hex, JobId, RecipeId,
};

/// A player command taken aside by the sessions step.
#[derive(Debug, Clone)]
pub struct PendingCommand {
    /// Its session.
    pub key: SessionKey,
    /// The player's sequence number, echoed in the reply.
    pub seq: u32,
    /// The command.
    pub command: Command,
    /// The session's empire, user and command stream when the command arrived; `None` for
    /// an unknown session.
    pub sender: Option<(EmpireId, i64, u64)>,
}

/// The tick's player commands, in arrival order.
#[derive(Resource, Debug, Default)]
pub struct PendingCommands(pub Vec<PendingCommand>);

/// A command that passed the gate, waiting for the system of its kind.
#[derive(Debug, Clone, Copy)]
pub struct Order {
    /// Arrival index (orders the reply).
    pub index: usize,
    /// Its session.
    pub key: SessionKey,
    /// The player's sequence number.
    pub seq: u32,
    /// The sender's empire.
    pub empire: EmpireId,
    /// The sender's user and command stream.
    pub stream: (i64, u64),
}

impl Order {
    /// The reply to this order with `result`.
    pub fn reply(&self, result: Result<(), CommandError>) -> Reply {
        Reply {
            index: self.index,
            key: self.key,
            seq: self.seq,
            result,
            stream: self.stream,
            replayed: false,
        }
    }
}

/// Moves waiting for `apply_moves`: the order and its unit and destination.
#[derive(Resource, Debug, Default)]
pub struct MoveOrders(pub Vec<(Order, EntityId, Hex)>);

/// Stops waiting for `apply_stops`: the order and its unit.
#[derive(Resource, Debug, Default)]
pub struct StopOrders(pub Vec<(Order, EntityId)>);

/// Attacks waiting for `apply_attacks`: the order, its unit and its target.
#[derive(Resource, Debug, Default)]
pub struct AttackOrders(pub Vec<(Order, EntityId, EntityId)>);

/// Builds waiting for `apply_builds`: the order, the builder, the kind and the site.
#[derive(Resource, Debug, Default)]
pub struct BuildOrders(pub Vec<(Order, EntityId, EntityKind, Hex)>);

/// Train orders waiting for `apply_trains`: the order, the building, the recipe, repeat.
#[derive(Resource, Debug, Default)]
pub struct TrainOrders(pub Vec<(Order, EntityId, RecipeId, bool)>);

/// Cancels waiting for `apply_cancels`: the order, the building and the job.
#[derive(Resource, Debug, Default)]
pub struct CancelOrders(pub Vec<(Order, EntityId, JobId)>);

/// Vision shares (`true`) and revocations waiting for `apply_grants`, in arrival order (a
/// revocation after a share of the same tick undoes it): the order, the empire named.
#[derive(Resource, Debug, Default)]
pub struct GrantOrders(pub Vec<(Order, EmpireId, bool)>);

/// Chat, alliance, friend and mail commands waiting for `apply_social`, in arrival order.
#[derive(Resource, Debug, Default)]
pub struct SocialOrders(pub Vec<(Order, Command)>);

/// The queues of the per-kind systems, as one system parameter.
#[derive(bevy_ecs::system::SystemParam)]
pub(super) struct OrderQueues<'w> {
    moves: ResMut<'w, MoveOrders>,
    stops: ResMut<'w, StopOrders>,
    attacks: ResMut<'w, AttackOrders>,
    builds: ResMut<'w, BuildOrders>,
    trains: ResMut<'w, TrainOrders>,
    cancels: ResMut<'w, CancelOrders>,
    grants: ResMut<'w, GrantOrders>,
    social: ResMut<'w, SocialOrders>,
}

impl OrderQueues<'_> {
    /// Queue `command` for the system of its kind.
    fn push(&mut self, order: Order, command: Command) {
        match command {
            Command::Move { unit, to } => self.moves.0.push((order, unit, to)),
            Command::Stop { unit } => self.stops.0.push((order, unit)),
            Command::Attack { unit, target } => self.attacks.0.push((order, unit, target)),
            Command::Build { unit, kind, at } => self.builds.0.push((order, unit, kind, at)),
            Command::Train {
                building,
                recipe,
                repeat,
            } => self.trains.0.push((order, building, recipe, repeat)),
            Command::Cancel { building, job } => self.cancels.0.push((order, building, job)),
            Command::ShareVision { to } => self.grants.0.push((order, to, true)),
            Command::RevokeVision { to } => self.grants.0.push((order, to, false)),
            social @ (Command::Chat { .. }
            | Command::CreateAlliance { .. }
            | Command::InviteToAlliance { .. }
            | Command::JoinAlliance { .. }
            | Command::LeaveAlliance
            | Command::KickFromAlliance { .. }
            | Command::SetAllianceRole { .. }
            | Command::AddFriend { .. }
            | Command::RemoveFriend { .. }
            | Command::SendMail { .. }
            | Command::DeleteMail { .. }) => self.social.0.push((order, social)),
        }
    }
}

/// The outcome of one command.
#[derive(Debug, Clone, Copy)]
pub struct Reply {
    /// Arrival index.
    pub index: usize,
    /// Its session.
    pub key: SessionKey,
    /// The player's sequence number.
    pub seq: u32,
    /// Accepted, or why not.
    pub result: Result<(), CommandError>,
    /// The sender's user and command stream (to record the result for deduplication).
    pub stream: (i64, u64),
    /// An answer replayed from the dedup window (the command was not applied again; not
    /// counted as accepted or rejected).
    pub replayed: bool,
}

/// The tick's replies, in any order (sent sorted by arrival).
#[derive(Resource, Debug, Default)]
pub struct Replies(pub Vec<Reply>);

/// A command that came again while its first copy was still being applied this tick: it
/// gets the first copy's answer once the tick's replies are known.
#[derive(Debug, Clone, Copy)]
pub struct Duplicate {
    /// Arrival index.
    pub index: usize,
    /// Its session.
    pub key: SessionKey,
    /// The player's sequence number.
    pub seq: u32,
    /// The sender's user and command stream.
    pub stream: (i64, u64),
}

/// The tick's same-tick duplicates.
#[derive(Resource, Debug, Default)]
pub struct Duplicates(pub Vec<Duplicate>);

/// Drop commands of unknown sessions (counted), refuse those over the sender's rate limit and
/// route the rest by kind.
pub(super) fn gate_commands(
    mut pending: ResMut<PendingCommands>,
    (mut limits, mut kind_limits): (ResMut<RateLimits>, ResMut<KindLimits>),
    (settings, tick): (Res<CommandSettings>, Res<TickCount>),
    (mut counters, mut active): (ResMut<Counters>, ResMut<ActiveUsers>),
    (mut queues, mut replies): (OrderQueues, ResMut<Replies>),
    (mut dedup, mut duplicates): (ResMut<CommandDedup>, ResMut<Duplicates>),
) {
    let (per_tick, burst) = settings.rate();
    for (index, cmd) in pending.0.drain(..).enumerate() {
        let Some((empire, user, stream)) = cmd.sender else {
            counters.commands_unknown_session += 1;
            continue;
        };
        // Any command, even one refused, shows the player at the keyboard (SPEC.md §22.3).
        active.0.insert(user);
        match dedup.check(user, stream, cmd.seq, tick.0) {
            None => {}
            Some(Seen::Done(result)) => {
                replies.0.push(Reply {
                    index,
                    key: cmd.key,
                    seq: cmd.seq,
                    result,
                    stream: (0, 0),
                    replayed: true,
                });
                continue;
            }
            Some(Seen::Pending) => {
                duplicates.0.push(Duplicate {
                    index,
                    key: cmd.key,
                    seq: cmd.seq,
                    stream: (user, stream),
                });
                continue;
            }
        }
        let kind = cmd.command.kind_index();
        let kind_ok = settings
            .kind_rate(kind)
            .is_none_or(|(rate, cap)| kind_limits.allow((user, kind), tick.0, rate, cap));
        if !kind_ok || !limits.allow(user, tick.0, per_tick, burst) {
            replies.0.push(Reply {
                index,
                key: cmd.key,
                seq: cmd.seq,
                result: Err(CommandError::RateLimited),
                stream: (user, stream),
                replayed: false,
            });
            continue;
        }
        let order = Order {
            index,
            key: cmd.key,
            seq: cmd.seq,
            empire,
            stream: (user, stream),
        };
        queues.push(order, cmd.command);
    }
    let prune_every = settings.tick_hz.saturating_mul(60).max(1);
    if tick.0.is_multiple_of(prune_every) {
        limits.prune(tick.0, per_tick, burst);
        kind_limits.prune_by(tick.0, |(_, kind)| settings.kind_rate(*kind));
        dedup.prune(tick.0);
    }
}

/// Send the tick's acks and rejections to their sessions, in arrival order.
pub(super) fn send_replies(
    mut replies: ResMut<Replies>,
    mut outbox: ResMut<Outbox>,
    mut counters: ResMut<Counters>,
    (mut dedup, mut duplicates): (ResMut<CommandDedup>, ResMut<Duplicates>),
) {
    for r in &replies.0 {
        let (user, stream) = r.stream;
        dedup.record(user, stream, r.seq, r.result);
    }
    // Same-tick copies get their first copy's answer (a first copy refused `RateLimited`
    // was forgotten: the copy is refused alike and may come again).
    for d in duplicates.0.drain(..) {
        let (user, stream) = d.stream;
        let result = dedup
            .result(user, stream, d.seq)
            .unwrap_or(Err(CommandError::RateLimited));
        replies.0.push(Reply {
            index: d.index,
            key: d.key,
            seq: d.seq,
            result,
            stream: (0, 0),
            replayed: true,
        });
    }
    replies.0.sort_by_key(|r| r.index);
    for reply in replies.0.drain(..) {
        let msg = match reply.result {
            Ok(()) => {
                if !reply.replayed {
                    counters.commands_ok += 1;
                }
                LinkServerMsg::CommandAck { seq: reply.seq }
            }
            Err(error) => {
                if !reply.replayed {
                    *counters.commands_rejected.entry(error).or_default() += 1;
                }
                LinkServerMsg::CommandRejected {
                    seq: reply.seq,
                    error,
                }
            }
        };
        outbox.sessions.entry(reply.key).or_default().push(msg);
    }
}
