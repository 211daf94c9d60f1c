//! Redis killed and restarted: calls fail with a clear error (no panic, no hang past the
//! command timeout), heartbeats are counted as failures, and everything recovers when the
//! server is back: the registration reappears, events flow again, the revocation cache kept
//! what it had.

#![allow(clippy::unwrap_used)]

use starlane_cluster::{
    Cluster, ClusterError, ClusterEvent, Record, Registration, Revocation, RevocationKey,
    RevocationSync, TokenSubject,
};
use starlane_testbed::Redis;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !check().await {
        assert!(Instant::now() < deadline, "{what} never happened");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn everything_recovers_after_redis_is_killed_and_restarted() {
    // A private server: this test kills it.
    let mut redis = tokio::task::spawn_blocking(|| Redis::start().unwrap())
        .await
        .unwrap();
    let prefix = starlane_testbed::fresh_prefix();
    let c = Cluster::connect(&redis.url(), &prefix).await.unwrap();
    let region = starlane_cluster::RegionInfo {
        id: "r1".into(),
        link_addr: "127.0.0.1:4500".into(),
        capacity: 10,
        sessions: 0,
        entities: 0,
    };
    let r = region.clone();
    let reg = Registration::spawn(
        c.clone(),
        Duration::from_millis(200),
        Duration::from_secs(2),
        move || Record::Region(r.clone()),
    );
    let sync = RevocationSync::spawn(c.clone(), Duration::from_millis(500));
    let revoked = Revocation {
        key: RevocationKey::Jti("before".into()),
        until: now() + 3600,
    };
    c.revoke(&revoked).await.unwrap();
    let subject = TokenSubject::new("t", Some("before"), 1);
    eventually("the revocation reaching the cache", async || {
        sync.cache().is_revoked(&subject, now())
    })
    .await;

    let stats = reg.stats().clone();
    redis.kill();
    let t0 = Instant::now();
    let err = c.regions().await.unwrap_err();
    assert!(matches!(err, ClusterError::Redis { .. }), "{err}");
    assert!(
        t0.elapsed() < Duration::from_secs(5),
        "a call hung {:?}",
        t0.elapsed()
    );
    assert!(err.to_string().starts_with("redis "), "{err}");
    let failed = stats.failures.load(Ordering::Relaxed);
    eventually("heartbeat failures being counted", async || {
        stats.failures.load(Ordering::Relaxed) > failed
    })
    .await;
    assert!(!stats.registered.load(Ordering::Relaxed));
    // Down: the local cache still refuses the revoked token.
    assert!(sync.cache().is_revoked(&subject, now()));

    tokio::task::block_in_place(|| redis.restart().unwrap());
    // The restarted server (no persistence) is empty; the heartbeat writes the record again.
    eventually("the region registered again", async || {
        c.region("r1").await.ok().flatten() == Some(region.clone())
    })
    .await;
    assert!(c.is_connected());
    // The events channel is subscribed again.
    let mut events = c.subscribe();
    let hello = ClusterEvent::Broadcast {
        text: "back".into(),
    };
    eventually("a broadcast going through again", async || {
        c.publish(&hello).await.is_ok()
            && tokio::time::timeout(Duration::from_millis(300), events.recv())
                .await
                .is_ok_and(|e| e.is_ok_and(|e| e == hello))
    })
    .await;
    // The cache kept the revocation the restarted server forgot.
    assert!(sync.cache().is_revoked(&subject, now()));
    // The heartbeat sets the flag once its write returns, which may be a moment after the
    // record became readable above.
    eventually("the registration flag set again", async || {
        stats.registered.load(Ordering::Relaxed)
    })
    .await;
}
