//! Scenario: a region server restarts under a playing client. The region (real, with its SQLite
//! state) is stopped and a new one is started on the same address with the same trust (the
//! development cluster CA of the all-in-one server). The edge reconnects over mutual TLS,
//! re-announces the session, and the same native client session over encrypted UDP, never
//! reconnected, keeps receiving updates and gets its commands acknowledged.

#![allow(clippy::unwrap_used)]

use starlane_client::{Client, ClientEvent};
use starlane_edge::{Edge, EdgeConfig};
use starlane_game::{Region, RegionConfig, RegionHandle};
use starlane_local::{dev_link_pki, use_dev_link_pki};
use starlane_protocol::{CommandError, Hex};
use std::net::SocketAddr;
use std::time::Duration;

const T: Duration = Duration::from_secs(20);

/// Drive the client until `done` holds (checked before each event with `None`, and with each
/// event); pings keep events coming while the world is still. The session must stay open.
async fn until(
    client: &mut Client,
    what: &str,
    mut done: impl FnMut(&Client, Option<&ClientEvent>) -> bool,
) {
    let deadline = tokio::time::Instant::now() + T;
    while !done(client, None) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: not within {T:?}"
        );
        match tokio::time::timeout(Duration::from_millis(200), client.next_event()).await {
            Ok(Some(ev)) => {
                assert!(
                    !matches!(ev, ClientEvent::Closed(_)),
                    "{what}: session closed: {ev:?}"
                );
                if done(client, Some(&ev)) {
                    return;
                }
            }
            Ok(None) => panic!("{what}: session ended"),
            Err(_) => client.ping(),
        }
    }
}

/// A passable, free hex two or three steps from `from`.
fn target_near(client: &Client, from: Hex) -> Hex {
    (-3i32..=3)
        .flat_map(|dq| (-3i32..=3).map(move |dr| Hex::new(from.q + dq, from.r + dr)))
        .filter(|h| (2..=3).contains(&from.distance(*h)))
        .find(|h| {
            client.world.is_passable(*h) && !client.world.entities.values().any(|e| e.pos == *h)
        })
        .unwrap_or_else(|| {
            panic!(
                "no free passable hex near {from:?}: map {:?}, entities {:?}",
                client.world.map.as_ref().map(|m| (
                    m.chunk_radius,
                    m.chunks.len(),
                    m.blocked.len()
                )),
                client.world.entities
            )
        })
}

/// Move one of the client's units (retrying while the edge answers `RateLimited`, its "not
/// now, retry" while the region link is re-established), wait for the region's ack and for
/// the unit to arrive.
async fn move_and_arrive(client: &mut Client) {
    let (unit, from) = client
        .world
        .my_units()
        .find(|u| u.kind != starlane_protocol::EntityKind::Station)
        .map(|u| (u.id, u.pos))
        .unwrap();
    let to = target_near(client, from);
    let mut result = None;
    for _ in 0..100 {
        let seq = client.send_move(unit, to);
        until(client, "command answered", |_, ev| {
            if let Some(ClientEvent::CommandResult { seq: s, result: r }) = ev
                && *s == seq
            {
                result = Some(*r);
                return true;
            }
            false
        })
        .await;
        if result != Some(Err(CommandError::RateLimited)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(result, Some(Ok(())), "the move is acknowledged");
    until(client, "unit arrives", |c, _| {
        c.world.entities.get(&unit).is_some_and(|e| e.pos == to)
    })
    .await;
}

async fn start_region_on(mut cfg: RegionConfig, addr: SocketAddr) -> RegionHandle {
    cfg.link_bind = addr;
    let mut last = None;
    for _ in 0..100 {
        match Region::start(cfg.clone()).await {
            Ok(region) => return region,
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("cannot restart the region on {addr}: {last:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_keeps_playing_across_a_region_restart() {
    let dir = tempfile::tempdir().unwrap();
    let local: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let mut region_cfg = RegionConfig {
        data_dir: dir.path().join("region"),
        link_bind: local,
        http: starlane_game::config::HttpConfig { bind: local },
        ..RegionConfig::default()
    };
    let mut edge_cfg = EdgeConfig::default();
    edge_cfg.data_dir = dir.path().join("edge");
    edge_cfg.udp.bind = local;
    edge_cfg.webtransport.bind = local;
    edge_cfg.quic.bind = local;
    edge_cfg.websocket.bind = local;
    edge_cfg.http.bind = local;
    edge_cfg.dev_issuer.enabled = true;
    edge_cfg.region_link.reconnect_min_ms = 50;
    edge_cfg.region_link.reconnect_max_ms = 400;
    edge_cfg.region_link.session_grace_ms = 15_000;
    let pki = dev_link_pki(dir.path()).unwrap();
    use_dev_link_pki(&pki, &mut region_cfg, &mut edge_cfg);

    let region = Region::start(region_cfg.clone()).await.unwrap();
    let addr = region.link_addr();
    edge_cfg.region_link.addr = addr;
    let edge = Edge::start(edge_cfg, None).await.unwrap();
    // Players are joined once the region has welcomed the link (the edge is ready then).
    for _ in 0..500 {
        if edge.region_link_up() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(edge.region_link_up(), "the region link never came up");

    let link = starlane_netcore::udp::connect(edge.udp_addr(), edge.udp_public_key(), T)
        .await
        .unwrap();
    let token = edge.dev_issuer().unwrap().issue("ada").unwrap();
    let mut client = Client::connect_link(link, &token).await.unwrap();
    let empire = client.empire;
    until(&mut client, "map and own units", |c, _| {
        c.world.map.is_some() && c.world.my_units().next().is_some()
    })
    .await;
    move_and_arrive(&mut client).await;

    // Stop the region (it saves its state) and start a new one on the same address.
    region.shutdown().await.unwrap();
    for _ in 0..200 {
        if !edge.region_link_up() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(!edge.region_link_up(), "the edge saw the region go");
    let region = start_region_on(region_cfg, addr).await;

    // The same session, never reconnected: updates flow again and commands are acknowledged.
    move_and_arrive(&mut client).await;
    assert_eq!(client.empire, empire);
    assert!(edge.region_link_up());
    assert_eq!(edge.metrics().region_link.reannounced.get(), 1);
    assert_eq!(
        region.link_stats().links_opened,
        1,
        "one link carries the sessions"
    );
    assert_eq!(region.link_refusals().total(), 0);
    assert_eq!(
        edge.metrics()
            .sessions_active
            .with_label_values(&["udp"])
            .get(),
        1
    );
    assert_eq!(
        edge.metrics()
            .rejections
            .with_label_values(&["region_unavailable"])
            .get(),
        0,
        "no session was closed"
    );
    edge.shutdown().await;
    region.shutdown().await.unwrap();
}
