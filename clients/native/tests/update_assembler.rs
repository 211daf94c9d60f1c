#![allow(clippy::unwrap_used)]
//! `UpdateAssembler`: a scenario of hand-built `EntityPacket`s turned into world updates,
//! command answers and acks (SPEC.md §16.3), checked against a `WorldView`.

use starlane_client::WorldView;
use starlane_client::assembler::{Assembled, CommandResult, UpdateAssembler};
use starlane_client::delta::PacketKind;
use starlane_protocol::client::ClientMsg;
use starlane_protocol::delta::{EntityPacket, EntityRecord, Event, EventEntry, RecordBase};
use starlane_protocol::{
    CommandError, EntityChange, EntityKind, EntityState, Hex, ResourceKind, Visibility,
};

const ME: u32 = 7;

fn unit(id: u32, owner: u32, q: i32, health: u16) -> EntityState {
    EntityState {
        id,
        kind: EntityKind::Frigate,
        owner,
        pos: Hex::new(q, 0),
        health,
    }
}

fn delta(id: u32, age: u16, dq: i32, health: Option<u16>) -> EntityRecord {
    EntityRecord {
        id,
        base: RecordBase::Delta { age },
        pos: (dq != 0).then_some(Hex::new(dq, 0)),
        health,
    }
}

fn packet(seq: u16, events: Vec<EventEntry>, entities: Vec<EntityRecord>) -> EntityPacket {
    EntityPacket {
        seq,
        tick: 100 + u32::from(seq),
        health_step: 1,
        events,
        entities,
    }
}

fn ev(event_id: u32, event: Event) -> EventEntry {
    EventEntry { event_id, event }
}

/// Feed `p` and apply the resulting update to `world`.
fn feed(asm: &mut UpdateAssembler, world: &mut WorldView, p: &EntityPacket) -> Option<Assembled> {
    let a = asm.handle_packet(p)?;
    world.apply(&a.update);
    Some(a)
}

/// An assembler and world that received packet 1: a rival's unit 1 at (0, 0), health 50.
fn holding_rival_unit() -> (UpdateAssembler, WorldView) {
    let mut asm = UpdateAssembler::new();
    let mut world = WorldView::new(ME);
    let first = packet(1, vec![], vec![EntityRecord::full(&unit(1, 9, 0, 50), 1)]);
    feed(&mut asm, &mut world, &first);
    (asm, world)
}

#[test]
fn scenario_builds_the_world_and_acks() {
    let mut asm = UpdateAssembler::new();
    let mut world = WorldView::new(ME);
    assert_eq!(asm.ack(), None);

    // 1: two full records, a vision change and a resource total.
    let hex = Hex::new(1, 1);
    let a = feed(
        &mut asm,
        &mut world,
        &packet(
            1,
            vec![
                ev(
                    1,
                    Event::Vision {
                        hex,
                        state: Visibility::Visible,
                    },
                ),
                ev(
                    2,
                    Event::Resource {
                        kind: ResourceKind::Credits,
                        amount: 500,
                    },
                ),
            ],
            vec![
                EntityRecord::full(&unit(1, ME, 5, 100), 1),
                EntityRecord::full(&unit(2, 9, 8, 80), 1),
            ],
        ),
    )
    .unwrap();
    assert_eq!(a.kind, PacketKind::Newest);
    assert_eq!(a.update.tick, 101);
    assert_eq!(
        a.update.appeared,
        vec![unit(1, ME, 5, 100), unit(2, 9, 8, 80)]
    );
    assert!(a.update.changed.is_empty() && a.update.disappeared.is_empty());
    assert_eq!(a.ack, (1, 0));
    assert_eq!(world.entities.len(), 2);
    assert_eq!(world.visibility(hex), Visibility::Visible);
    assert_eq!(world.resources[&(ResourceKind::Credits as u8)], 500);
    assert_eq!(world.my_units().count(), 1);

    // 2: a delta against packet 1 moves unit 1; its command was accepted.
    let a = feed(
        &mut asm,
        &mut world,
        &packet(
            2,
            vec![ev(3, Event::CommandAck { seq: 5 })],
            vec![delta(1, 1, 1, None)],
        ),
    )
    .unwrap();
    assert_eq!(
        a.update.changed,
        vec![EntityChange {
            id: 1,
            pos: Some(Hex::new(6, 0)),
            health: None,
        }]
    );
    assert_eq!(
        a.commands,
        vec![CommandResult {
            seq: 5,
            result: Ok(())
        }]
    );
    assert_eq!(a.ack, (2, 0b1));
    assert_eq!(world.entities[&1].pos, Hex::new(6, 0));

    // 4 (3 is late): a delta against packet 2 changes position and health; unit 2 leaves.
    let p4 = packet(
        4,
        vec![ev(4, Event::Disappeared { id: 2 })],
        vec![delta(1, 2, 2, Some(60))],
    );
    let a = feed(&mut asm, &mut world, &p4).unwrap();
    assert_eq!(a.update.disappeared, vec![2]);
    assert_eq!(
        a.update.changed,
        vec![EntityChange {
            id: 1,
            pos: Some(Hex::new(8, 0)),
            health: Some(60),
        }]
    );
    assert_eq!(a.ack, (4, 0b110), "3 missing, 2 and 1 received");
    assert!(!world.entities.contains_key(&2));
    assert!(world.ever_seen.contains_key(&2));

    // 4 again: a duplicate changes nothing, not even the ack.
    assert_eq!(asm.handle_packet(&p4), None);
    assert_eq!(
        asm.ack(),
        Some(ClientMsg::Ack {
            newest: 4,
            mask: 0b110
        })
    );

    // 3, late: an older move of unit 1 and a record of the removed unit 2 must not win;
    // its repeated event is skipped, its new one (a rejection) is applied.
    let a = feed(
        &mut asm,
        &mut world,
        &packet(
            3,
            vec![
                ev(3, Event::CommandAck { seq: 5 }),
                ev(
                    5,
                    Event::CommandRejected {
                        seq: 6,
                        error: CommandError::NotYourUnit,
                    },
                ),
            ],
            vec![
                delta(1, 1, 1, None),
                EntityRecord::full(&unit(2, 9, 9, 80), 1),
            ],
        ),
    )
    .unwrap();
    assert_eq!(a.kind, PacketKind::Late);
    assert!(a.update.appeared.is_empty() && a.update.changed.is_empty());
    assert_eq!(
        a.commands,
        vec![CommandResult {
            seq: 6,
            result: Err(CommandError::NotYourUnit)
        }]
    );
    assert_eq!(
        a.update.tick, 104,
        "a late packet does not move the tick back"
    );
    assert_eq!(a.ack, (4, 0b111));
    assert_eq!(world.tick, 104);
    assert_eq!(world.entities[&1], unit(1, ME, 8, 60));
    assert!(!world.entities.contains_key(&2));

    // 5: a delta against a packet never received is skipped; a new station appears.
    let station = EntityState {
        id: 3,
        kind: EntityKind::Station,
        owner: 9,
        pos: Hex::new(-4, 2),
        health: 500,
    };
    let a = feed(
        &mut asm,
        &mut world,
        &packet(
            5,
            vec![],
            vec![delta(1, 10, 5, None), EntityRecord::full(&station, 1)],
        ),
    )
    .unwrap();
    assert_eq!(a.update.appeared, vec![station.clone()]);
    assert!(a.update.changed.is_empty());
    assert_eq!(asm.stats().missing_baseline, 1);
    assert_eq!(world.entities[&1].pos, Hex::new(8, 0));
    assert_eq!(a.ack, (5, 0b1111));

    let stats = asm.stats();
    assert_eq!((stats.packets, stats.duplicates), (5, 1));
    assert_eq!(stats.duplicate_events, 1);
}

#[test]
fn owner_change_is_reported_as_appeared() {
    let (mut asm, mut world) = holding_rival_unit();
    // Captured: kind/owner change needs a full record, and EntityChange cannot carry it.
    let a = feed(
        &mut asm,
        &mut world,
        &packet(2, vec![], vec![EntityRecord::full(&unit(1, ME, 0, 50), 1)]),
    )
    .unwrap();
    assert_eq!(a.update.appeared, vec![unit(1, ME, 0, 50)]);
    assert!(a.update.changed.is_empty());
    assert_eq!(world.entities[&1].owner, ME);
}

#[test]
fn removal_and_return_in_one_packet_is_an_appearance() {
    let (mut asm, mut world) = holding_rival_unit();
    let a = feed(
        &mut asm,
        &mut world,
        &packet(
            2,
            vec![ev(1, Event::Disappeared { id: 1 })],
            vec![EntityRecord::full(&unit(1, 9, 4, 50), 1)],
        ),
    )
    .unwrap();
    assert!(a.update.disappeared.is_empty());
    assert_eq!(a.update.appeared, vec![unit(1, 9, 4, 50)]);
    assert_eq!(world.entities[&1].pos, Hex::new(4, 0));
}

#[test]
fn disappearance_of_unknown_entity_and_unchanged_delta_are_silent() {
    let (mut asm, mut world) = holding_rival_unit();
    let a = feed(
        &mut asm,
        &mut world,
        &packet(
            2,
            vec![ev(1, Event::Disappeared { id: 77 })],
            vec![delta(1, 1, 0, None)],
        ),
    )
    .unwrap();
    assert!(a.update_is_empty());
    assert_eq!(a.update.tick, 102);
}

#[test]
fn health_is_dequantized() {
    let mut asm = UpdateAssembler::new();
    let mut world = WorldView::new(ME);
    let mut p = packet(1, vec![], vec![EntityRecord::full(&unit(1, 9, 0, 95), 10)]);
    p.health_step = 10;
    feed(&mut asm, &mut world, &p);
    assert_eq!(world.entities[&1].health, 90);
}
