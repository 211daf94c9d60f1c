//! Alliances (SPEC.md §21.2): founding, inviting, joining, roles, kicking, leaving and the
//! lead passing on, each command checked in the SPEC's order; members see what each other's
//! units see from the tick they join to the tick they leave, and no longer; every change
//! reaches exactly the empires it concerns; a stored alliance comes back with its sight.

use crate::common::combat::*;
use crate::common::{LINK, ModelEdge, join_on, seen_by, sim_on, social_msgs};
use starlane_game::RegionConfig;
use starlane_game::map::GameMap;
use starlane_game::world::{LinkId, RegionSim};
use starlane_protocol::link::{RegionToEdge, SessionId};
use starlane_protocol::social::{AllianceRole, SocialMsg};
use starlane_protocol::{Command, CommandError, EmpireId, EntityId, EntityKind, Hex};
use std::collections::BTreeSet;

fn member(alliance: u32, empire: EmpireId, role: AllianceRole, present: bool) -> SocialMsg {
    SocialMsg::Member {
        alliance,
        empire,
        name: format!("u{empire}"),
        role,
        present,
    }
}

fn alliance(id: u32, name: &str, role: AllianceRole) -> SocialMsg {
    SocialMsg::Alliance {
        alliance: id,
        name: name.into(),
        role,
    }
}

/// A region where empires 7, 8 and 9 (sessions 1, 2, 3) each have one scout, far apart.
fn three_empires() -> (RegionSim, ModelEdge, [EntityId; 3]) {
    let config = RegionConfig {
        asteroid_percent: 0,
        pirates: 0,
        ..RegionConfig::default()
    };
    let mut sim = sim_on(config, GameMap::generate(9, 1, 0));
    let edge = ModelEdge::new(LINK, sim.map().cell_count());
    sim.push(join_on(LINK, 1, 7, 0));
    sim.push(join_on(LINK, 2, 8, 3));
    sim.push(join_on(LINK, 3, 9, 5));
    let c = centre(&sim);
    let scouts = [
        unit_at(&mut sim, 7, EntityKind::Scout, Hex::new(c.q - 8, c.r)),
        unit_at(&mut sim, 8, EntityKind::Scout, Hex::new(c.q + 8, c.r)),
        unit_at(&mut sim, 9, EntityKind::Scout, Hex::new(c.q, c.r + 8)),
    ];
    (sim, edge, scouts)
}

/// Step once, feed the model edge and check that session `s` of empire `e` holds exactly
/// what its own units and those of `allies` see.
fn step_checked(
    sim: &mut RegionSim,
    edge: &mut ModelEdge,
    sight: &[(SessionId, EmpireId, &[EmpireId])],
) -> Vec<(LinkId, RegionToEdge)> {
    let frames = sim.step();
    edge.apply(sim, &frames);
    for (session, empire, allies) in sight {
        let held: BTreeSet<EntityId> = edge.session_states(*session).into_keys().collect();
        let mut allowed: BTreeSet<EntityId> = seen_by(sim, *empire).into_iter().collect();
        for a in *allies {
            allowed.extend(seen_by(sim, *a));
        }
        assert_eq!(held, allowed, "session {session} at tick {}", sim.tick());
    }
    frames
}

#[test]
fn members_share_sight_while_allied_and_hear_every_change() {
    let (mut sim, mut edge, [_, s8, _]) = three_empires();
    step_checked(
        &mut sim,
        &mut edge,
        &[(1, 7, &[]), (2, 8, &[]), (3, 9, &[])],
    );

    // 7 founds "Blue Moon" and invites 8; 8 accepts.
    sim.push(order(
        1,
        1,
        Command::CreateAlliance {
            name: "Blue Moon".into(),
        },
    ));
    let f = step_checked(&mut sim, &mut edge, &[(1, 7, &[]), (2, 8, &[])]);
    assert_eq!(answers(&f, 1), vec![(1, Ok(()))]);
    let id = match social_msgs(&f, 1).first() {
        Some(SocialMsg::Alliance { alliance, .. }) => *alliance,
        other => panic!("no alliance news: {other:?}"),
    };
    assert_eq!(
        social_msgs(&f, 1),
        vec![
            alliance(id, "Blue Moon", AllianceRole::Leader),
            member(id, 7, AllianceRole::Leader, true)
        ]
    );
    sim.push(order(1, 2, Command::InviteToAlliance { empire: 8 }));
    let f = step_checked(&mut sim, &mut edge, &[(1, 7, &[]), (2, 8, &[])]);
    assert_eq!(answers(&f, 1), vec![(2, Ok(()))]);
    let invite = SocialMsg::Invite {
        alliance: id,
        name: "Blue Moon".into(),
        from: 7,
        active: true,
    };
    assert_eq!(social_msgs(&f, 2), vec![invite]);
    assert!(social_msgs(&f, 3).is_empty(), "9 hears nothing of it");
    assert!(!seen_by(&mut sim, 7).contains(&s8));

    sim.push(order(2, 1, Command::JoinAlliance { alliance: id }));
    let f = step_checked(
        &mut sim,
        &mut edge,
        &[(1, 7, &[8]), (2, 8, &[7]), (3, 9, &[])],
    );
    assert_eq!(answers(&f, 2), vec![(1, Ok(()))]);
    assert!(
        edge.session_states(1).contains_key(&s8),
        "7 sees 8's scout in the tick 8 joins"
    );
    assert_eq!(
        social_msgs(&f, 1),
        vec![member(id, 8, AllianceRole::Member, true)]
    );
    let got = social_msgs(&f, 2);
    assert!(
        got.contains(&alliance(id, "Blue Moon", AllianceRole::Member)),
        "{got:?}"
    );
    assert!(
        got.contains(&member(id, 7, AllianceRole::Leader, true)),
        "{got:?}"
    );
    assert!(social_msgs(&f, 3).is_empty());

    // The leader makes 8 an officer; 8 invites 9; 9 joins: three-way sight.
    sim.push(order(
        1,
        3,
        Command::SetAllianceRole {
            empire: 8,
            role: AllianceRole::Officer,
        },
    ));
    sim.push(order(2, 2, Command::InviteToAlliance { empire: 9 }));
    let f = step_checked(&mut sim, &mut edge, &[(1, 7, &[8]), (2, 8, &[7])]);
    assert_eq!(answers(&f, 1), vec![(3, Ok(()))]);
    assert_eq!(answers(&f, 2), vec![(2, Ok(()))]);
    sim.push(order(3, 1, Command::JoinAlliance { alliance: id }));
    step_checked(
        &mut sim,
        &mut edge,
        &[(1, 7, &[8, 9]), (2, 8, &[7, 9]), (3, 9, &[7, 8])],
    );

    // The officer may not remove the leader; the leader removes 9: 9 loses the others'
    // sight in that tick, and they lose its.
    sim.push(order(2, 3, Command::KickFromAlliance { empire: 7 }));
    sim.push(order(1, 4, Command::KickFromAlliance { empire: 9 }));
    let f = step_checked(
        &mut sim,
        &mut edge,
        &[(1, 7, &[8]), (2, 8, &[7]), (3, 9, &[])],
    );
    assert_eq!(answers(&f, 2), vec![(3, Err(CommandError::NotPermitted))]);
    assert_eq!(answers(&f, 1), vec![(4, Ok(()))]);
    assert_eq!(
        social_msgs(&f, 3),
        vec![
            member(id, 9, AllianceRole::Member, false),
            alliance(0, "", AllianceRole::Member)
        ]
    );
    // 9 is out: alliance chat is refused, as is every alliance command but founding one.
    sim.push(order(
        3,
        2,
        Command::Chat {
            to: starlane_protocol::social::ChatTo::Alliance,
            text: "hey".into(),
        },
    ));
    let f = step_checked(&mut sim, &mut edge, &[(3, 9, &[])]);
    assert_eq!(answers(&f, 3), vec![(2, Err(CommandError::NotInAlliance))]);

    // Five seconds for the kind's rate limit to refill, allies seeing each other throughout.
    for _ in 0..100 {
        step_checked(
            &mut sim,
            &mut edge,
            &[(1, 7, &[8]), (2, 8, &[7]), (3, 9, &[])],
        );
    }
    // The leader leaves: the officer leads; then it leaves too and the alliance ends.
    sim.push(order(1, 5, Command::LeaveAlliance));
    let f = step_checked(&mut sim, &mut edge, &[(1, 7, &[]), (2, 8, &[])]);
    assert_eq!(answers(&f, 1), vec![(5, Ok(()))]);
    let got = social_msgs(&f, 2);
    assert!(
        got.contains(&alliance(id, "Blue Moon", AllianceRole::Leader)),
        "{got:?}"
    );
    assert!(
        got.contains(&member(id, 7, AllianceRole::Leader, false)),
        "{got:?}"
    );
    sim.push(order(2, 4, Command::LeaveAlliance));
    sim.push(order(1, 6, Command::JoinAlliance { alliance: id }));
    let f = step_checked(&mut sim, &mut edge, &[(1, 7, &[]), (2, 8, &[])]);
    assert_eq!(answers(&f, 2), vec![(4, Ok(()))]);
    assert_eq!(answers(&f, 1), vec![(6, Err(CommandError::NotInvited))]);
    // Its name is free again.
    sim.push(order(
        3,
        3,
        Command::CreateAlliance {
            name: "blue moon".into(),
        },
    ));
    let f = step_checked(&mut sim, &mut edge, &[(3, 9, &[])]);
    assert_eq!(answers(&f, 3), vec![(3, Ok(()))]);
}

#[test]
fn each_command_refuses_in_the_spec_order() {
    let (mut sim, _, _) = three_empires();
    sim.step();
    let mut seq = 0;
    let mut ask = |sim: &mut RegionSim, session: SessionId, command: Command| {
        seq += 1;
        sim.push(order(session, seq, command));
        let answer = answers(&sim.step(), session)[0].1;
        // A second for the kind's rate limit (one a second) to refill.
        for _ in 0..20 {
            sim.step();
        }
        answer
    };
    use AllianceRole::*;
    use CommandError::*;
    assert_eq!(ask(&mut sim, 1, Command::LeaveAlliance), Err(NotInAlliance));
    assert_eq!(
        ask(&mut sim, 1, Command::InviteToAlliance { empire: 8 }),
        Err(NotInAlliance)
    );
    for bad in ["", "  ", "ab", "a\u{202E}bc", "tab\there"] {
        let r = ask(&mut sim, 1, Command::CreateAlliance { name: bad.into() });
        assert_eq!(r, Err(InvalidText), "{bad:?}");
    }
    assert_eq!(
        ask(&mut sim, 1, Command::CreateAlliance { name: "Red".into() }),
        Ok(())
    );
    assert_eq!(
        ask(
            &mut sim,
            2,
            Command::CreateAlliance {
                name: " RED ".into()
            }
        ),
        Err(NameTaken)
    );
    assert_eq!(
        ask(
            &mut sim,
            1,
            Command::CreateAlliance {
                name: "Other".into()
            }
        ),
        Err(AlreadyInAlliance)
    );
    assert_eq!(
        ask(&mut sim, 1, Command::InviteToAlliance { empire: 7 }),
        Err(InvalidEmpire)
    );
    assert_eq!(
        ask(&mut sim, 1, Command::InviteToAlliance { empire: 0 }),
        Err(InvalidEmpire)
    );
    // An invitation to an empire no one plays is accepted: the answer reveals nothing.
    assert_eq!(
        ask(&mut sim, 1, Command::InviteToAlliance { empire: 4_000_000 }),
        Ok(())
    );
    assert_eq!(
        ask(&mut sim, 1, Command::InviteToAlliance { empire: 8 }),
        Ok(())
    );
    assert_eq!(
        ask(&mut sim, 1, Command::InviteToAlliance { empire: 8 }),
        Ok(()),
        "again: no change"
    );
    assert_eq!(
        ask(&mut sim, 3, Command::JoinAlliance { alliance: 1 }),
        Err(NotInvited)
    );
    assert_eq!(
        ask(&mut sim, 3, Command::JoinAlliance { alliance: 999 }),
        Err(NotInvited)
    );
    assert_eq!(
        ask(&mut sim, 2, Command::JoinAlliance { alliance: 1 }),
        Ok(())
    );
    assert_eq!(
        ask(&mut sim, 2, Command::JoinAlliance { alliance: 1 }),
        Err(AlreadyInAlliance)
    );
    // A member may not invite, kick or set roles.
    assert_eq!(
        ask(&mut sim, 2, Command::InviteToAlliance { empire: 9 }),
        Err(NotPermitted)
    );
    assert_eq!(
        ask(
            &mut sim,
            2,
            Command::SetAllianceRole {
                empire: 7,
                role: Member
            }
        ),
        Err(NotPermitted)
    );
    assert_eq!(
        ask(&mut sim, 2, Command::KickFromAlliance { empire: 7 }),
        Err(NotPermitted)
    );
    assert_eq!(
        ask(&mut sim, 2, Command::KickFromAlliance { empire: 8 }),
        Err(InvalidEmpire)
    );
    assert_eq!(
        ask(
            &mut sim,
            1,
            Command::SetAllianceRole {
                empire: 7,
                role: Officer
            }
        ),
        Err(InvalidEmpire)
    );
    assert_eq!(
        ask(
            &mut sim,
            1,
            Command::SetAllianceRole {
                empire: 9,
                role: Officer
            }
        ),
        Err(NotInAlliance)
    );
    assert_eq!(
        ask(&mut sim, 1, Command::KickFromAlliance { empire: 9 }),
        Err(NotInAlliance)
    );
    // The leader withdraws the stray invitation, then hands the lead to 8.
    assert_eq!(
        ask(&mut sim, 1, Command::KickFromAlliance { empire: 4_000_000 }),
        Ok(())
    );
    assert_eq!(
        ask(
            &mut sim,
            1,
            Command::SetAllianceRole {
                empire: 8,
                role: Leader
            }
        ),
        Ok(())
    );
    assert_eq!(
        ask(
            &mut sim,
            1,
            Command::SetAllianceRole {
                empire: 8,
                role: Member
            }
        ),
        Err(NotPermitted)
    );
    assert_eq!(
        ask(&mut sim, 2, Command::KickFromAlliance { empire: 7 }),
        Ok(()),
        "the new leader removes the officer"
    );
}

#[test]
fn an_alliance_holds_at_most_max_members_with_its_invitations() {
    let config = RegionConfig {
        asteroid_percent: 0,
        pirates: 0,
        social: starlane_game::config::SocialConfig {
            max_members: 2,
            ..Default::default()
        },
        ..RegionConfig::default()
    };
    let mut sim = sim_on(config, GameMap::generate(9, 1, 0));
    for (s, e) in [(1, 7), (2, 8), (3, 9)] {
        sim.push(join_on(LINK, s, e, 0));
    }
    sim.step();
    let ask = |sim: &mut RegionSim, session, seq, command| {
        sim.push(order(session, seq, command));
        answers(&sim.step(), session)[0].1
    };
    assert_eq!(
        ask(
            &mut sim,
            1,
            1,
            Command::CreateAlliance { name: "Two".into() }
        ),
        Ok(())
    );
    assert_eq!(
        ask(&mut sim, 1, 2, Command::InviteToAlliance { empire: 8 }),
        Ok(())
    );
    assert_eq!(
        ask(&mut sim, 1, 3, Command::InviteToAlliance { empire: 9 }),
        Err(CommandError::AllianceFull)
    );
}

#[test]
fn a_stored_alliance_comes_back_with_its_sight_and_greets_its_members() {
    let (mut sim, _, [s7, s8, _]) = three_empires();
    sim.step();
    sim.push(order(
        1,
        1,
        Command::CreateAlliance {
            name: "Keep".into(),
        },
    ));
    sim.push(order(1, 2, Command::InviteToAlliance { empire: 8 }));
    sim.push(order(1, 3, Command::InviteToAlliance { empire: 9 }));
    sim.push(order(2, 1, Command::JoinAlliance { alliance: 1 }));
    sim.step();
    let record = sim.social_record();
    assert_eq!(record.alliances.len(), 1);
    assert_eq!(record.alliances[0].members.len(), 2);
    assert_eq!(record.alliances[0].invites, vec![(9, 7)]);
    let units = sim.persistent_units();

    // A new region from the snapshot; only 8 comes back, on a new link.
    let config = RegionConfig {
        asteroid_percent: 0,
        pirates: 0,
        ..RegionConfig::default()
    };
    let mut back = RegionSim::new(config, GameMap::generate(9, 1, 0));
    back.load_units(&units);
    back.load_social(&record);
    back.push(starlane_game::world::TickInput::LinkOpened { link: 2 });
    back.push(join_on(2, 5, 8, 3));
    back.push(join_on(2, 6, 9, 5));
    let f = back.step();
    let got = social_msgs(&f, 5);
    assert!(
        got.contains(&alliance(1, "Keep", AllianceRole::Member)),
        "{got:?}"
    );
    assert!(
        got.contains(&member(1, 7, AllianceRole::Leader, true)),
        "{got:?}"
    );
    assert_eq!(
        social_msgs(&f, 6),
        vec![SocialMsg::Invite {
            alliance: 1,
            name: "Keep".into(),
            from: 7,
            active: true
        }]
    );
    // 8 sees 7's scout through the restored alliance, from the first tick.
    let view: BTreeSet<EntityId> = crate::common::views(&f, 5)
        .into_iter()
        .flat_map(|v| v.entered)
        .collect();
    assert!(view.contains(&s7) && view.contains(&s8), "{view:?}");
    assert_eq!(back.social_record(), record);
}
