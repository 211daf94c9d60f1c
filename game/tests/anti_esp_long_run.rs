//! Anti-ESP over a long run (SPEC.md §20, §21, DESIGN.md "nothing about an entity outside a
//! client's vision ever leaves the region"): four empires on one edge link move, fight, probe
//! for entities they cannot see, share and revoke vision, found, join and leave alliances and
//! chat at random for 6,000 ticks (five minutes), with every scout cloaked (SPEC.md §20.7),
//! while every message the region sends is recorded. Each tick, each session's view as the edge holds it equals its empire's allowed
//! sight (its own units', that of the empires whose grants it holds, by a model of the grants
//! kept from the region's answers, and that of its allies, by a model kept from the alliance
//! news); every entity the link's frames name is in some session's allowed sight; every
//! `Sharing` event names a grant of the session's own empire; every probe is refused exactly
//! as a missing entity; every chat message reaches only its readers (region: anyone; alliance:
//! a current ally of the sender; private: its two players); and every few ticks each
//! session's visible cells are exactly those its allowed observers cover.

use crate::common::combat::order;
use crate::common::{LINK, ModelEdge, join_on, seen_by, session_msgs, sim_on};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use starlane_game::map::GameMap;
use starlane_game::world::{LinkId, Owner, Position, RegionSim, VisionRange};
use starlane_game::{RegionConfig, StealthConfig};
use starlane_protocol::link::{LinkServerMsg, RegionToEdge, SessionId};
use starlane_protocol::social::{ChatChannel, SocialMsg};
use starlane_protocol::{Command, CommandError, EmpireId, EntityId, EntityState, Hex, Visibility};
use std::collections::{BTreeMap, BTreeSet, HashMap};

const EMPIRES: [(SessionId, EmpireId); 4] = [(1, 7), (2, 8), (3, 9), (4, 10)];
const TICKS: u32 = 6000;

/// What the test sent and is waiting to hear about, by (session, seq).
enum Sent {
    Grant {
        to: EmpireId,
        on: bool,
    },
    Probe,
    /// An alliance command or a chat: any answer but a probe's.
    Social,
    Other,
}

/// Grants as the region acknowledged them, (from, to), and each empire's alliance as its
/// sessions were told (absent: none).
#[derive(Default)]
struct Model {
    grants: BTreeSet<(EmpireId, EmpireId)>,
    alliance: HashMap<EmpireId, u32>,
}

impl Model {
    /// The empires whose sight `empire` shares: granters and allies.
    fn sources(&self, empire: EmpireId) -> BTreeSet<EmpireId> {
        let mine = self.alliance.get(&empire);
        self.grants
            .iter()
            .filter(|(_, to)| *to == empire)
            .map(|(from, _)| *from)
            .chain(
                self.alliance
                    .iter()
                    .filter(|(e, a)| **e != empire && Some(*a) == mine)
                    .map(|(e, _)| *e),
            )
            .collect()
    }
}

fn allowed(sim: &mut RegionSim, model: &Model, empire: EmpireId) -> BTreeSet<EntityId> {
    let mut out: BTreeSet<EntityId> = seen_by(sim, empire).into_iter().collect();
    for from in model.sources(empire) {
        out.extend(seen_by(sim, from));
    }
    out
}

/// The cells visible to `empire` by the definition: within range of one of its observers or
/// of an observer of an empire that shares with it.
fn visible_cells(sim: &mut RegionSim, model: &Model, empire: EmpireId) -> Vec<bool> {
    let mut sources = model.sources(empire);
    sources.insert(empire);
    let world = sim.world_mut();
    let observers: Vec<(Hex, u32)> = world
        .query::<(&Owner, &Position, &VisionRange)>()
        .iter(world)
        .filter(|(o, _, _)| sources.contains(&o.0))
        .map(|(_, p, r)| (p.0, r.0))
        .collect();
    sim.map()
        .cells()
        .iter()
        .map(|h| observers.iter().any(|(at, r)| at.distance(*h) <= *r))
        .collect()
}

/// Count, for `empire`, the other empires' cloaked units it is allowed to see (`ok`) as
/// "cloaked seen", and those on its visible cells it is not as "cloaked hidden".
fn count_cloaked(
    sim: &mut RegionSim,
    empire: EmpireId,
    ok: &BTreeSet<EntityId>,
    cells: &[Visibility],
    counts: &mut BTreeMap<&'static str, u32>,
) {
    use bevy_ecs::query::With;
    use starlane_game::world::{Cloaked, StableId};
    let world = sim.world_mut();
    let theirs: Vec<(EntityId, Hex)> = world
        .query_filtered::<(&StableId, &Owner, &Position), With<Cloaked>>()
        .iter(world)
        .filter(|(_, o, _)| o.0 != empire)
        .map(|(id, _, pos)| (id.0, pos.0))
        .collect();
    for (id, pos) in theirs {
        let key = if ok.contains(&id) {
            "cloaked seen"
        } else if sim
            .map()
            .cell_index(pos)
            .is_some_and(|i| cells.get(i) == Some(&Visibility::Visible))
        {
            "cloaked hidden"
        } else {
            continue;
        };
        *counts.entry(key).or_default() += 1;
    }
}

/// Send each empire's orders for this tick.
fn orders(
    sim: &mut RegionSim,
    rng: &mut StdRng,
    grants: &Model,
    sent: &mut HashMap<(SessionId, u32), Sent>,
    seq: &mut u32,
) {
    use starlane_protocol::social::ChatTo;
    let tick = sim.tick();
    let all: Vec<(EntityId, EmpireId)> = sim.all_units().iter().map(|u| (u.id, u.owner)).collect();
    for (session, empire) in EMPIRES {
        let mut send = |sim: &mut RegionSim, command, what| {
            *seq += 1;
            sent.insert((session, *seq), what);
            sim.push(order(session, *seq, command));
        };
        if (tick + session as u32).is_multiple_of(5) {
            let own = sim.units_of(empire);
            if !own.is_empty() {
                let u = own[rng.random_range(0..own.len())];
                let to = u
                    .pos
                    .plus(Hex::new(rng.random_range(-4..=4), rng.random_range(-4..=4)));
                send(sim, Command::Move { unit: u.id, to }, Sent::Other);
            }
        }
        if (tick + session as u32).is_multiple_of(10) {
            let hidden: Vec<EntityId> = {
                let ok = allowed(sim, grants, empire);
                all.iter()
                    .filter(|(id, _)| !ok.contains(id))
                    .map(|(id, _)| *id)
                    .collect()
            };
            if !hidden.is_empty() {
                let id = hidden[rng.random_range(0..hidden.len())];
                let to = Hex::new(0, 0);
                send(sim, Command::Move { unit: id, to }, Sent::Probe);
            }
        }
        if (tick + 3 * session as u32).is_multiple_of(40) {
            let others: Vec<EmpireId> = EMPIRES
                .iter()
                .map(|(_, e)| *e)
                .filter(|e| *e != empire)
                .collect();
            let to = others[rng.random_range(0..others.len())];
            let on = !grants.grants.contains(&(empire, to));
            let command = if on {
                Command::ShareVision { to }
            } else {
                Command::RevokeVision { to }
            };
            send(sim, command, Sent::Grant { to, on });
        }
        if (tick + 7 * session as u32).is_multiple_of(60) {
            let command = social_order(rng, grants, empire, tick);
            send(sim, command, Sent::Social);
        }
        if (tick + 11 * session as u32).is_multiple_of(25) {
            let to = match rng.random_range(0..3) {
                0 => ChatTo::Region,
                1 => ChatTo::Alliance,
                _ => ChatTo::Player(u64::from(EMPIRES[rng.random_range(0..4)].1)),
            };
            let text = format!("tick {tick} from {empire}");
            send(sim, Command::Chat { to, text }, Sent::Social);
        }
    }
}

/// An alliance order: found one, invite another empire, accept (a join of an alliance the
/// empire may or may not be invited to), or leave.
fn social_order(rng: &mut StdRng, model: &Model, empire: EmpireId, tick: u32) -> Command {
    let other = EMPIRES[rng.random_range(0..EMPIRES.len())].1;
    match (model.alliance.get(&empire), rng.random_range(0..4)) {
        (None, 0) => Command::CreateAlliance {
            name: format!("a{empire} {tick}"),
        },
        (None, _) => Command::JoinAlliance {
            alliance: model
                .alliance
                .get(&other)
                .copied()
                .unwrap_or(rng.random_range(1..20)),
        },
        (Some(_), 0) => Command::LeaveAlliance,
        (Some(_), 1) => Command::KickFromAlliance { empire: other },
        (Some(_), _) => Command::InviteToAlliance { empire: other },
    }
}

/// Check one tick's messages, and update the grant model from the answers.
fn check_messages(
    frames: &[(LinkId, RegionToEdge)],
    sent: &mut HashMap<(SessionId, u32), Sent>,
    grants: &mut Model,
    counts: &mut BTreeMap<&'static str, u32>,
) {
    let (mut told, mut chats) = (Vec::new(), Vec::new());
    for (session, empire) in EMPIRES {
        for m in session_msgs(frames, session) {
            match m {
                LinkServerMsg::CommandAck { seq } | LinkServerMsg::CommandRejected { seq, .. } => {
                    let result = match m {
                        LinkServerMsg::CommandRejected { error, .. } => Err(error),
                        _ => Ok(()),
                    };
                    match sent
                        .remove(&(session, seq))
                        .expect("an answer to a sent command")
                    {
                        Sent::Grant { to, on } => {
                            assert_eq!(result, Ok(()), "grant {empire} -> {to} ({on})");
                            *counts.entry("grants").or_default() += 1;
                            if on {
                                grants.grants.insert((empire, to));
                            } else {
                                grants.grants.remove(&(empire, to));
                            }
                        }
                        Sent::Social => {
                            assert_ne!(result, Err(CommandError::UnknownUnit), "social");
                            let key = if result.is_ok() {
                                "social ok"
                            } else {
                                "social refused"
                            };
                            *counts.entry(key).or_default() += 1;
                        }
                        Sent::Probe => {
                            assert_eq!(result, Err(CommandError::UnknownUnit), "probe");
                            *counts.entry("probes").or_default() += 1;
                        }
                        Sent::Other => *counts.entry("orders").or_default() += 1,
                    }
                }
                LinkServerMsg::Sharing(s) => {
                    assert_ne!(s.empire, empire, "a grant names another empire");
                    let pair = if s.outgoing {
                        (empire, s.empire)
                    } else {
                        (s.empire, empire)
                    };
                    told.push((pair, s.active));
                }
                LinkServerMsg::Social(SocialMsg::Alliance { alliance, .. }) => {
                    if alliance == 0 {
                        grants.alliance.remove(&empire);
                    } else {
                        grants.alliance.insert(empire, alliance);
                    }
                    *counts.entry("alliance news").or_default() += 1;
                }
                LinkServerMsg::Social(SocialMsg::Chat(c)) => chats.push((empire, c)),
                _ => {}
            }
        }
    }
    // Each chat reached one of its readers, by the alliances as this tick left them.
    for (reader, c) in chats {
        let sender = EmpireId::try_from(c.from).expect("user ids are empire ids here");
        let ok = match c.channel {
            ChatChannel::Region => true,
            ChatChannel::Alliance => {
                let a = grants.alliance.get(&reader);
                a.is_some() && a == grants.alliance.get(&sender)
            }
            ChatChannel::Private => u64::from(reader) == c.to || reader == sender,
        };
        assert!(ok, "{c:?} reached empire {reader}");
        *counts.entry("chat delivered").or_default() += 1;
    }
    // Each event is about a grant of the receiving empire, as the answers left it.
    for (pair, active) in told {
        assert_eq!(
            grants.grants.contains(&pair),
            active,
            "sharing event {pair:?}"
        );
        *counts.entry("sharing events").or_default() += 1;
    }
}

/// What each session held (as the edge shows it) at the end of the previous tick.
type Held = HashMap<SessionId, HashMap<EntityId, EntityState>>;

/// Every `LastSeen` names an entity the session held at the previous tick, exactly as held
/// (and never a ship); every `Forget` names one the session was told it remembers.
fn check_memory(
    frames: &[(LinkId, RegionToEdge)],
    before: &Held,
    remembered: &mut HashMap<SessionId, BTreeSet<EntityId>>,
    counts: &mut BTreeMap<&'static str, u32>,
) {
    for (session, _) in EMPIRES {
        let mine = remembered.entry(session).or_default();
        for m in session_msgs(frames, session) {
            match m {
                LinkServerMsg::LastSeen(s) => {
                    let held = before
                        .get(&session)
                        .and_then(|h| h.get(&s.id))
                        .unwrap_or_else(|| panic!("last seen {} never held", s.id));
                    assert_eq!((s.kind, s.owner, s.pos), (held.kind, held.owner, held.pos));
                    assert!(s.kind.is_building() || s.kind.deposit().is_some());
                    mine.insert(s.id);
                    *counts.entry("last seen").or_default() += 1;
                }
                LinkServerMsg::Forget { id } => {
                    assert!(mine.remove(&id), "forget of {id} never remembered");
                    *counts.entry("forget").or_default() += 1;
                }
                _ => {}
            }
        }
    }
}

#[test]
fn nothing_outside_allowed_sight_reaches_any_session() {
    let stealth = StealthConfig {
        cloaked: vec!["scout".into()],
        ..StealthConfig::default()
    };
    let config = RegionConfig {
        asteroid_percent: 5,
        pirates: 6,
        stealth,
        ..RegionConfig::default()
    };
    let mut sim = sim_on(config, GameMap::generate(6, 11, 5));
    let mut edge = ModelEdge::new(LINK, sim.map().cell_count());
    for (session, empire) in EMPIRES {
        sim.push(join_on(LINK, session, empire, session as u32 - 1));
    }
    let mut rng = StdRng::seed_from_u64(0x5eed);
    let (mut grants, mut sent, mut seq) = (Model::default(), HashMap::new(), 0u32);
    let mut counts = BTreeMap::new();
    let (mut most_grants, mut most_allied) = (0, 0);
    let mut remembered = HashMap::new();
    for _ in 0..TICKS {
        orders(&mut sim, &mut rng, &grants, &mut sent, &mut seq);
        let before: Held = EMPIRES
            .iter()
            .map(|(s, _)| (*s, edge.session_states(*s)))
            .collect();
        let frames = sim.step();
        edge.apply(&sim, &frames);
        check_messages(&frames, &mut sent, &mut grants, &mut counts);
        check_memory(&frames, &before, &mut remembered, &mut counts);
        most_grants = most_grants.max(grants.grants.len());
        let allied = EMPIRES
            .iter()
            .filter(|(_, e)| !grants.sources(*e).is_empty() && grants.alliance.contains_key(e))
            .count();
        most_allied = most_allied.max(allied);
        let mut union = BTreeSet::new();
        for (session, empire) in EMPIRES {
            let ok = allowed(&mut sim, &grants, empire);
            let held: BTreeSet<EntityId> = edge.session_states(session).into_keys().collect();
            assert_eq!(held, ok, "session {session} at tick {}", sim.tick());
            if sim.tick().is_multiple_of(10) {
                let cells = edge.vision[&session].clone();
                count_cloaked(&mut sim, empire, &ok, &cells, &mut counts);
            }
            union.extend(ok);
        }
        for (_, f) in &frames {
            if let RegionToEdge::Entities(e) = f {
                for id in e
                    .appeared
                    .iter()
                    .map(|s| s.id)
                    .chain(e.changed.iter().map(|c| c.id))
                {
                    assert!(union.contains(&id), "frame names {id}, seen by no session");
                }
            }
        }
        if sim.tick().is_multiple_of(20) {
            for (session, empire) in EMPIRES {
                let want = visible_cells(&mut sim, &grants, empire);
                let got: Vec<bool> = edge.vision[&session]
                    .iter()
                    .map(|v| *v == Visibility::Visible)
                    .collect();
                assert_eq!(
                    got,
                    want,
                    "cells of session {session} at tick {}",
                    sim.tick()
                );
            }
        }
    }
    assert!(sent.is_empty(), "every command answered");
    assert!(counts["grants"] >= 20, "{counts:?}");
    assert!(counts["probes"] >= 200, "{counts:?}");
    assert!(most_grants >= 3, "alliances formed: {most_grants}");
    assert!(
        counts["sharing events"] >= 2 * counts["grants"],
        "{counts:?}"
    );
    assert!(counts["last seen"] >= 20, "{counts:?}");
    assert!(counts["social ok"] >= 100, "{counts:?}");
    assert!(counts["alliance news"] >= 20, "{counts:?}");
    assert!(counts["chat delivered"] >= 200, "{counts:?}");
    assert!(most_allied >= 2, "no two empires were ever allied");
    assert!(counts["cloaked seen"] >= 20, "{counts:?}");
    assert!(counts["cloaked hidden"] >= 20, "{counts:?}");
    println!("{counts:?}, most grants at once {most_grants}, most allied {most_allied}");
}
