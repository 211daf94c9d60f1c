//! Scenario (simulated ticks): a player's client moves from one edge to another and sends
//! its unanswered commands again with the same numbers (LINK.md §6.3 rule 6). The region
//! applies each `seq` of the player's command stream once: a copy that comes through the
//! other edge, in a later tick or in the same tick, gets the first copy's answer and is not
//! applied again; another stream (a new login) and a stream of `0` are not deduplicated.

use crate::common::{LINK, quiet_sim, session_msgs};
use starlane_game::records::EmpireRecord;
use starlane_game::world::{LinkId, RegionSim, TickInput};
use starlane_protocol::link::{LinkServerMsg, PlayerIdentity, SessionId};
use starlane_protocol::{Command, Hex};

/// The other edge's link.
const OTHER: LinkId = 2;
const EMPIRE: u32 = 7;

fn join(sim: &mut RegionSim, link: LinkId, session: SessionId, stream: u64) {
    sim.push(TickInput::Join {
        link,
        session,
        player: PlayerIdentity {
            user_id: i64::from(EMPIRE),
            username: "ada".into(),
            command_stream: stream,
        },
        empire: Ok(EmpireRecord {
            empire: EMPIRE,
            spawn_index: 0,
        }),
    });
}

fn command(link: LinkId, session: SessionId, seq: u32, unit: u32, to: Hex) -> TickInput {
    TickInput::Command {
        link,
        session,
        seq,
        command: Command::Move { unit, to },
    }
}

fn answers(msgs: &[LinkServerMsg]) -> Vec<u32> {
    msgs.iter()
        .filter_map(|m| match m {
            LinkServerMsg::CommandAck { seq } | LinkServerMsg::CommandRejected { seq, .. } => {
                Some(*seq)
            }
            _ => None,
        })
        .collect()
}

#[test]
fn a_command_sent_again_through_another_edge_is_applied_once() {
    let mut sim = quiet_sim();
    sim.push(TickInput::LinkOpened { link: OTHER });
    join(&mut sim, LINK, 1, 99);
    sim.step();
    let unit = sim.units_of(EMPIRE)[0];
    let (id, at) = (unit.id, unit.pos);

    // Seq 1 through the first edge; the client moves before its answer arrives.
    sim.push(command(LINK, 1, 1, id, at));
    let first = sim.step();
    assert_eq!(answers(&session_msgs(&first, 1)), vec![1]);
    assert_eq!(sim.command_totals(), (1, 0));

    // Resumed on the other edge with the same stream: seq 1 again, then seq 2.
    join(&mut sim, OTHER, 5, 99);
    sim.push(command(OTHER, 5, 1, id, at));
    sim.push(command(OTHER, 5, 2, id, at));
    let frames = sim.step();
    let msgs: Vec<LinkServerMsg> = frames
        .iter()
        .filter(|(l, _)| *l == OTHER)
        .flat_map(|(_, f)| match f {
            starlane_protocol::link::RegionToEdge::ToClient(t) if t.session == 5 => t.msgs.clone(),
            _ => Vec::new(),
        })
        .collect();
    assert_eq!(answers(&msgs), vec![1, 2], "both answered, in order");
    assert!(msgs.contains(&LinkServerMsg::CommandAck { seq: 1 }));
    assert_eq!(
        sim.command_totals(),
        (2, 1),
        "seq 1 applied once, replayed once"
    );

    // Both copies in one tick (the old edge's late copy and the resent one): one applied.
    sim.push(command(LINK, 1, 3, id, at));
    sim.push(command(OTHER, 5, 3, id, at));
    let frames = sim.step();
    assert_eq!(answers(&session_msgs(&frames, 1)), vec![3]);
    assert_eq!(sim.command_totals(), (3, 2));

    // A new login (another stream) numbers from 1 again and is applied.
    join(&mut sim, OTHER, 6, 100);
    sim.push(command(OTHER, 6, 1, id, at));
    sim.step();
    assert_eq!(sim.command_totals(), (4, 2));
    // Stream 0 (tools, stand-ins) is never deduplicated.
    join(&mut sim, OTHER, 8, 0);
    sim.push(command(OTHER, 8, 1, id, at));
    sim.push(command(OTHER, 8, 1, id, at));
    sim.step();
    assert_eq!(sim.command_totals(), (6, 2));
}
