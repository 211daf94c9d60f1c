//! Presence on Redis: set on session open, cleared on close (only by the edge that set it),
//! expired when not refreshed (an edge crash); player counters add up; home regions are kept.

#![allow(clippy::unwrap_used)]

use crate::common::*;
use starlane_cluster::{PlayerStats, Presence, StatsDelta};
use std::time::Duration;

fn at(edge: &str) -> Presence {
    Presence {
        region: "r1".into(),
        edge: edge.into(),
        since: 1_700_000_000,
    }
}

#[tokio::test]
async fn presence_is_set_cleared_and_expires() {
    let (c, _) = redis_cluster().await;
    let long = Duration::from_secs(30);
    c.set_online(7, &at("e1"), long).await.unwrap();
    c.set_online(8, &at("e1"), Duration::from_millis(300))
        .await
        .unwrap();
    assert_eq!(c.presence(7).await.unwrap(), Some(at("e1")));
    let online = c.online().await.unwrap();
    assert_eq!(online, vec![(7, at("e1")), (8, at("e1"))]);

    // Player 7 moved to e2: e1's late close leaves it online there.
    c.set_online(7, &at("e2"), long).await.unwrap();
    c.set_offline(7, "e1").await.unwrap();
    assert_eq!(c.presence(7).await.unwrap(), Some(at("e2")));
    c.set_offline(7, "e2").await.unwrap();
    assert_eq!(c.presence(7).await.unwrap(), None);

    // Player 8's edge stopped refreshing: gone after its TTL.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(c.presence(8).await.unwrap(), None);
    assert!(c.online().await.unwrap().is_empty());
}

#[tokio::test]
async fn player_counters_add_up() {
    let (c, _) = redis_cluster().await;
    assert_eq!(c.stats(5).await.unwrap(), PlayerStats::default());
    let login = StatsDelta {
        logins: 1,
        login_at: Some(100),
        ..StatsDelta::default()
    };
    c.count(5, &login).await.unwrap();
    c.count(5, &login).await.unwrap();
    let session = StatsDelta {
        sessions: 1,
        commands: 12,
        seen_at: Some(200),
        ..StatsDelta::default()
    };
    c.count(5, &session).await.unwrap();
    assert_eq!(
        c.stats(5).await.unwrap(),
        PlayerStats {
            logins: 2,
            sessions: 1,
            commands: 12,
            last_login: 100,
            last_seen: 200,
        }
    );
}

#[tokio::test]
async fn home_regions_are_recorded_and_replaced() {
    let (c, _) = redis_cluster().await;
    assert_eq!(c.home_region(9).await.unwrap(), None);
    c.set_home_region(9, "r1").await.unwrap();
    assert_eq!(c.home_region(9).await.unwrap().as_deref(), Some("r1"));
    c.set_home_region(9, "r2").await.unwrap();
    assert_eq!(c.home_region(9).await.unwrap().as_deref(), Some("r2"));
    assert_eq!(c.home_region(10).await.unwrap(), None);
}
