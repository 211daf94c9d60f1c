//! Limits per command kind (`[command_kinds]`) on top of the per-user limit: a burst of
//! attacks over the attack burst is refused `RateLimited` past it while moves and stops of the
//! same user still pass; the bucket refills at the kind's rate.

use crate::common::combat::*;
use starlane_game::RegionConfig;
use starlane_game::config::{CommandKinds, KindLimit};
use starlane_protocol::{Command, CommandError, EntityKind, Hex};

#[test]
fn attacks_over_their_burst_are_refused_and_others_pass() {
    let mut sim = arena_with(RegionConfig {
        asteroid_percent: 0,
        pirates: 0,
        command_rate: 1000,
        command_burst: 1000,
        command_kinds: CommandKinds {
            attack: KindLimit { rate: 20, burst: 5 },
            ..CommandKinds::default()
        },
        ..RegionConfig::default()
    });
    let c = centre(&sim);
    let frigate = unit_at(&mut sim, 7, EntityKind::Frigate, c);
    let target = unit_at(&mut sim, 8, EntityKind::Frigate, c.plus(Hex::new(2, 0)));
    sim.step();
    let attack = |seq| {
        order(
            1,
            seq,
            Command::Attack {
                unit: frigate,
                target,
            },
        )
    };
    for seq in 1..=8 {
        sim.push(attack(seq));
    }
    sim.push(order(1, 9, Command::Stop { unit: frigate }));
    sim.push(order(
        1,
        10,
        Command::Move {
            unit: frigate,
            to: c.plus(Hex::new(-1, 0)),
        },
    ));
    let frames = sim.step();
    let got = answers(&frames, 1);
    let limited: Vec<u32> = got
        .iter()
        .filter(|(_, r)| *r == Err(CommandError::RateLimited))
        .map(|(s, _)| *s)
        .collect();
    assert_eq!(limited, [6, 7, 8], "{got:?}");
    assert!(
        got.contains(&(9, Ok(()))) && got.contains(&(10, Ok(()))),
        "{got:?}"
    );

    // 20 a second at 20 Hz: one more attack a tick.
    sim.push(attack(11));
    sim.push(attack(12));
    let got = answers(&sim.step(), 1);
    assert_eq!(got[0], (11, Ok(())));
    assert_eq!(got[1], (12, Err(CommandError::RateLimited)));
}
