//! Revocations on Redis: one process revokes, another's local cache has it within 1 s by
//! pub/sub; a revocation whose message was missed (the follower started later) arrives by the
//! full load; expired ones are not loaded.

#![allow(clippy::unwrap_used)]

use crate::common::*;
use starlane_cluster::{
    Cluster, Revocation, RevocationKey, RevocationSync, TokenSubject, token_sha256,
};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test]
async fn a_revocation_reaches_another_process_within_a_second() {
    let (admin, prefix) = redis_cluster().await;
    // A separate connection, as another edge would have.
    let other = Cluster::connect(&starlane_testbed::redis_url(), &prefix)
        .await
        .unwrap();
    let sync = RevocationSync::spawn(other, Duration::from_secs(60));
    let mut applied = sync.applied();
    tokio::time::sleep(Duration::from_millis(300)).await; // subscribed

    let token = "header.payload.signature";
    let subject = TokenSubject::new(token, None, 42);
    assert!(!sync.cache().is_revoked(&subject, now()));
    let by_hash = Revocation {
        key: RevocationKey::TokenHash(token_sha256(token)),
        until: now() + 3600,
    };
    let t0 = Instant::now();
    admin.revoke(&by_hash).await.unwrap();
    let got = tokio::time::timeout(Duration::from_secs(5), applied.recv())
        .await
        .unwrap()
        .unwrap();
    let took = t0.elapsed();
    assert_eq!(got, by_hash);
    assert!(sync.cache().is_revoked(&subject, now()));
    // Issue 11 asks for 1 s; the bound is generous for a loaded machine.
    assert!(took < Duration::from_secs(3), "took {took:?}");
    println!("revocation by pub/sub reached the other cache in {took:?}");

    // A user revoked until a time: every token of that user, until then.
    let user = Revocation {
        key: RevocationKey::User(43),
        until: now() + 2,
    };
    admin.revoke(&user).await.unwrap();
    tokio::time::timeout(Duration::from_secs(5), applied.recv())
        .await
        .unwrap()
        .unwrap();
    let other_token = TokenSubject::new("x.y.z", Some("j1"), 43);
    assert!(sync.cache().is_revoked(&other_token, now()));
    assert!(
        !sync.cache().is_revoked(&other_token, now() + 3),
        "past its until"
    );
}

#[tokio::test]
async fn a_late_follower_loads_what_it_missed_and_skips_the_expired() {
    let (admin, prefix) = redis_cluster().await;
    let jti = Revocation {
        key: RevocationKey::Jti("abc".into()),
        until: now() + 3600,
    };
    admin.revoke(&jti).await.unwrap();
    // Already past: stored nowhere.
    let old = Revocation {
        key: RevocationKey::Jti("old".into()),
        until: now() - 1,
    };
    admin.revoke(&old).await.unwrap();
    assert_eq!(admin.revocations().await.unwrap(), vec![jti.clone()]);

    let late = Cluster::connect(&starlane_testbed::redis_url(), &prefix)
        .await
        .unwrap();
    let sync = RevocationSync::spawn(late, Duration::from_secs(60));
    let subject = TokenSubject::new("t", Some("abc"), 1);
    let deadline = Instant::now() + Duration::from_secs(5);
    while !sync.cache().is_revoked(&subject, now()) {
        assert!(Instant::now() < deadline, "the full load never brought it");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(sync.cache().len(), 1);
}
