#![allow(clippy::unwrap_used)]
//! `Client` over an in-memory link: `EntityPacket` datagrams become world updates, command
//! results and batched `Ack` datagrams.

use starlane_client::{Client, ClientEvent};
use starlane_netcore::transport::{
    DriverSide, LinkEvent, Outgoing, QueueLimits, TransportKind, link_pair,
};
use starlane_protocol::client::{ClientMsg, ServerMsg};
use starlane_protocol::delta::{EntityPacket, EntityRecord, Event, EventEntry, RecordBase};
use starlane_protocol::{CommandError, EntityKind, EntityState, Hex, Update};

fn unit(id: u32, q: i32) -> EntityState {
    EntityState {
        id,
        kind: EntityKind::Scout,
        owner: 3,
        pos: Hex::new(q, 0),
        health: 10,
    }
}

fn packet(seq: u16, events: Vec<EventEntry>, entities: Vec<EntityRecord>) -> ServerMsg {
    ServerMsg::EntityPacket(EntityPacket {
        seq,
        tick: u32::from(seq),
        health_step: 1,
        events,
        entities,
    })
}

fn datagram(driver: &DriverSide, msg: ServerMsg) {
    driver
        .events
        .try_deliver(LinkEvent::Datagram(msg.encode()))
        .unwrap();
}

/// A welcomed client and the driver side of its link.
async fn welcomed() -> (Client, DriverSide) {
    let (link, driver) = link_pair(
        "127.0.0.1:1".parse().unwrap(),
        TransportKind::Udp,
        QueueLimits::DEFAULT,
    );
    let welcome = ServerMsg::Welcome {
        user_id: 1,
        empire: 3,
        tick_rate_hz: 20,
    };
    driver
        .events
        .try_deliver(LinkEvent::Reliable(welcome.encode()))
        .unwrap();
    let client = Client::connect_link(link, "token").await.unwrap();
    (client, driver)
}

/// The `Ack`s the client sent so far (other outgoing messages are skipped).
fn acks(driver: &mut DriverSide) -> Vec<(u16, u32)> {
    let mut out = Vec::new();
    while let Ok(o) = driver.outgoing.try_recv() {
        if let Outgoing::Datagram(b) = o
            && let Ok(ClientMsg::Ack { newest, mask }) = ClientMsg::decode(&b)
        {
            out.push((newest, mask));
        }
    }
    out
}

#[tokio::test]
async fn packets_update_the_world_and_are_acked_per_batch() {
    let (mut client, mut driver) = welcomed().await;
    client.record_updates();
    datagram(
        &driver,
        packet(1, vec![], vec![EntityRecord::full(&unit(1, 0), 1)]),
    );
    let Some(ClientEvent::Updated(a)) = client.next_event().await else {
        panic!("expected an update");
    };
    assert_eq!(a.appeared, vec![1]);
    assert_eq!(acks(&mut driver), vec![(1, 0)]);

    // Three packets queued at once: one batch, one Ack.
    let moved = |seq: u16, dq: i32| {
        packet(
            seq,
            vec![],
            vec![EntityRecord {
                id: 1,
                base: RecordBase::Delta { age: seq - 1 },
                pos: Some(Hex::new(dq, 0)),
                health: None,
            }],
        )
    };
    datagram(&driver, moved(2, 1));
    datagram(&driver, moved(3, 2));
    datagram(
        &driver,
        packet(
            4,
            vec![
                EventEntry {
                    event_id: 1,
                    event: Event::CommandAck { seq: 9 },
                },
                EventEntry {
                    event_id: 2,
                    event: Event::CommandRejected {
                        seq: 10,
                        error: CommandError::OffMap,
                    },
                },
            ],
            vec![],
        ),
    );
    let mut events = Vec::new();
    for _ in 0..5 {
        events.push(client.next_event().await.unwrap());
    }
    assert_eq!(acks(&mut driver), vec![(4, 0b111)]);
    let moves: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            ClientEvent::Updated(a) => Some(a.moved.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        moves,
        vec![vec![(1, Hex::new(1, 0))], vec![(1, Hex::new(2, 0))], vec![]]
    );
    assert!(events.contains(&ClientEvent::CommandResult {
        seq: 9,
        result: Ok(())
    }));
    assert_eq!(
        events.last(),
        Some(&ClientEvent::CommandResult {
            seq: 10,
            result: Err(CommandError::OffMap)
        })
    );
    assert_eq!(client.world.entities[&1].pos, Hex::new(2, 0));
    assert_eq!(client.world.tick, 4);

    // A duplicate is neither applied nor acknowledged; the next packet is.
    datagram(&driver, moved(3, 2));
    datagram(&driver, ServerMsg::Pong { nonce: 77 });
    datagram(&driver, moved(5, 7));
    let Some(ClientEvent::Updated(a)) = client.next_event().await else {
        panic!("expected an update");
    };
    assert_eq!(a.moved, vec![(1, Hex::new(7, 0))]);
    assert_eq!(acks(&mut driver), vec![(5, 0b1111)]);
    assert_eq!(client.delta_stats().duplicates, 1);
    assert_eq!(client.delta_stats().packets, 5);

    // The recorded stream holds the updates that carried information (not the one with only
    // command answers).
    let recorded: Vec<Update> = client.take_recorded();
    assert_eq!(recorded.len(), 4);
    assert_eq!(recorded[0].appeared, vec![unit(1, 0)]);
}

#[tokio::test]
async fn entity_packet_on_the_stream_is_ignored() {
    let (mut client, driver) = welcomed().await;
    let p = packet(1, vec![], vec![EntityRecord::full(&unit(1, 0), 1)]);
    driver
        .events
        .try_deliver(LinkEvent::Reliable(p.encode()))
        .unwrap();
    datagram(&driver, packet(2, vec![], vec![]));
    let Some(ClientEvent::Updated(a)) = client.next_event().await else {
        panic!("expected an update");
    };
    assert!(a.appeared.is_empty());
    assert_eq!(client.wrong_channel, 1);
}

#[tokio::test]
async fn legacy_update_and_command_answers_still_work() {
    let (mut client, driver) = welcomed().await;
    let u = ServerMsg::Update(Update {
        tick: 3,
        appeared: vec![unit(4, 1)],
        ..Update::default()
    });
    driver
        .events
        .try_deliver(LinkEvent::Reliable(u.encode()))
        .unwrap();
    let ack = ServerMsg::CommandAck { seq: 2 };
    driver
        .events
        .try_deliver(LinkEvent::Reliable(ack.encode()))
        .unwrap();
    let Some(ClientEvent::Updated(a)) = client.next_event().await else {
        panic!("expected an update");
    };
    assert_eq!(a.appeared, vec![4]);
    assert_eq!(
        client.next_event().await,
        Some(ClientEvent::CommandResult {
            seq: 2,
            result: Ok(())
        })
    );
}

#[tokio::test]
async fn a_packet_that_overtakes_the_welcome_is_kept() {
    let (link, mut driver) = link_pair(
        "127.0.0.1:1".parse().unwrap(),
        TransportKind::Udp,
        QueueLimits::DEFAULT,
    );
    datagram(
        &driver,
        packet(1, vec![], vec![EntityRecord::full(&unit(1, 0), 1)]),
    );
    let welcome = ServerMsg::Welcome {
        user_id: 1,
        empire: 3,
        tick_rate_hz: 20,
    };
    driver
        .events
        .try_deliver(LinkEvent::Reliable(welcome.encode()))
        .unwrap();
    let mut client = Client::connect_link(link, "token").await.unwrap();
    assert_eq!(client.world.empire, 3);
    assert!(client.world.entities.contains_key(&1));
    assert!(matches!(
        client.next_event().await,
        Some(ClientEvent::Updated(_))
    ));
    assert_eq!(acks(&mut driver), vec![(1, 0)]);
}
