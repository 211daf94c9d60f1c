//! The store suite, run on both backends: every test below is instantiated once on SQLite (a
//! file in a temporary directory) and once on PostgreSQL (a fresh database on the shared test
//! server), by [`store_suite!`], so both runs execute the same tests.

use super::*;
use crate::records::{
    AllianceRecord, EconomyRecord, EmpireRecord, ExploredRecord, JobRecord, MemberRecord,
    MemoryRecord, SocialRecord, UnitRecord, VisionRecord, WorldSnapshot,
};
use starlane_protocol::link::PlayerIdentity;
use starlane_protocol::social::AllianceRole;
use starlane_protocol::{EntityKind, Hex};

/// A database for one test; the SQLite directory lives as long as it.
struct TestDb {
    url: String,
    _dir: Option<tempfile::TempDir>,
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Sqlite,
    Postgres,
}

impl Kind {
    fn db(self) -> TestDb {
        match self {
            Kind::Sqlite => {
                let dir = tempfile::tempdir().expect("tempdir");
                TestDb {
                    url: format!("sqlite://{}", dir.path().join("t.db").display()),
                    _dir: Some(dir),
                }
            }
            Kind::Postgres => TestDb {
                url: starlane_testbed::fresh_database(),
                _dir: None,
            },
        }
    }
}

/// Instantiate each named async test fn (taking a [`Kind`]) on both backends.
macro_rules! store_suite {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name(super::Kind::Sqlite).await
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name(super::Kind::Postgres).await
            })*
        }
    };
}

store_suite!(
    players_are_created_once_and_found_again,
    home_region_follows_the_policy,
    snapshot_round_trip,
    regions_do_not_share_world_state,
    concurrent_first_joins_create_one_player,
    corrupt_stored_values_are_errors,
    rejoins_are_answered_from_memory,
    spawn_points_fill_evenly_across_reopens,
    joins_that_arrive_together_are_answered_as_one_by_one,
);

async fn open(db: &TestDb, policy: HomePolicy) -> Store {
    let options = StoreOptions {
        home_policy: policy,
        ..StoreOptions::default()
    };
    Store::open_with(&db.url, options, DbMetrics::unregistered())
        .await
        .expect("open")
}

fn who(user_id: i64, name: &str) -> PlayerIdentity {
    PlayerIdentity {
        user_id,
        username: name.into(),
        command_stream: 0,
    }
}

fn unit(id: u32, owner: u32, q: i32, health: u16) -> UnitRecord {
    UnitRecord {
        id,
        owner,
        kind: EntityKind::Frigate,
        pos: Hex::new(q, -q),
        health,
    }
}

async fn players_are_created_once_and_found_again(kind: Kind) {
    let db = kind.db();
    let store = open(&db, HomePolicy::FirstJoin).await;
    assert_eq!(store.player(1).await.expect("lookup"), None);
    let a = store.join(&who(1, "ada"), "r1", 6).await.expect("ada");
    let b = store.join(&who(2, "bob"), "r1", 6).await.expect("bob");
    assert_ne!(a.empire, b.empire);
    assert_ne!(a.spawn_index, b.spawn_index);
    assert_eq!(store.join(&who(1, "ada"), "r1", 6).await.expect("again"), a);
    // A new username is kept; the empire does not change.
    assert_eq!(
        store.join(&who(1, "ada2"), "r1", 6).await.expect("renamed"),
        a
    );
    store.close().await;
    let store = open(&db, HomePolicy::FirstJoin).await;
    let ada = store.player(1).await.expect("lookup").expect("stored");
    assert_eq!(
        (ada.username.as_str(), ada.home_region.as_str(), ada.empire),
        ("ada2", "r1", a.empire)
    );
    assert!(ada.created_at > 1_700_000_000, "{}", ada.created_at);
    assert_eq!(
        store.join(&who(2, "bob"), "r1", 6).await.expect("reopen"),
        b
    );
}

async fn spawn_points_fill_evenly_across_reopens(kind: Kind) {
    let db = kind.db();
    let spawns = |store: Store, ids: std::ops::Range<i64>, region: &'static str| async move {
        let mut got = Vec::new();
        for id in ids {
            let who = who(id, &format!("p{id}"));
            got.push(store.join(&who, region, 3).await.expect("join").spawn_index);
        }
        got
    };
    let store = open(&db, HomePolicy::FirstJoin).await;
    assert_eq!(spawns(store.clone(), 1..6, "r1").await, [0, 1, 2, 0, 1]);
    // Another region counts its own.
    assert_eq!(spawns(store.clone(), 1..3, "r2").await, [0, 1]);
    store.close().await;
    // A reopened store (a restarted region) reads the counts: spawn 2 is the least used.
    let store = open(&db, HomePolicy::FirstJoin).await;
    assert_eq!(spawns(store.clone(), 6..10, "r1").await, [2, 0, 1, 2]);
    // Rows another process added are read on a store's first assignment in the region.
    let sql = "INSERT INTO region_empires (region, user_id, spawn) VALUES ('r3', 1, 0)";
    on_pool!(store, p => sqlx::query(sql).execute(p).await.map(|_| ())).expect("insert");
    let other = open(&db, HomePolicy::FirstJoin).await;
    assert_eq!(spawns(other, 10..12, "r3").await, [1, 2]);
}

async fn home_region_follows_the_policy(kind: Kind) {
    let db = kind.db();
    let store = open(&db, HomePolicy::FirstJoin).await;
    let east = store.join(&who(1, "ada"), "east", 6).await.expect("east");
    // Joining another region later keeps the home and the empire, with a spawn of its own.
    let west = store.join(&who(1, "ada"), "west", 6).await.expect("west");
    assert_eq!(east.empire, west.empire);
    let home = |s: &Store, id| {
        let s = s.clone();
        async move {
            s.player(id)
                .await
                .expect("lookup")
                .expect("stored")
                .home_region
        }
    };
    assert_eq!(home(&store, 1).await, "east");

    let fixed_db = kind.db();
    let fixed = open(&fixed_db, HomePolicy::Fixed("capital".into())).await;
    fixed.join(&who(5, "cy"), "east", 6).await.expect("join");
    assert_eq!(home(&fixed, 5).await, "capital");

    let regions = vec!["a".to_string(), "b".to_string()];
    let hashed_db = kind.db();
    let hashed = open(&hashed_db, HomePolicy::Hash(regions.clone())).await;
    let mut seen = std::collections::BTreeSet::new();
    for id in 1..=20 {
        hashed
            .join(&who(id, "p"), "elsewhere", 6)
            .await
            .expect("join");
        let h = home(&hashed, id).await;
        assert_eq!(h, HomePolicy::Hash(regions.clone()).assign(id, "elsewhere"));
        seen.insert(h);
    }
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), regions);
}

async fn snapshot_round_trip(kind: Kind) {
    let db = kind.db();
    let store = open(&db, HomePolicy::FirstJoin).await;
    assert_eq!(store.load_snapshot("r1").await.expect("load"), None);
    let mut first = WorldSnapshot {
        tick: 100,
        units: (1..=1200)
            .map(|i| unit(i, i % 7, i as i32 % 50, 77))
            .collect(),
        economy: EconomyRecord {
            stocks: (1..=900).map(|e| (e, [e, 2 * e, u32::MAX])).collect(),
            jobs: (1..=900)
                .flat_map(|b| {
                    (0..2).map(move |position| JobRecord {
                        building: b,
                        job: 7 + position,
                        position,
                        recipe: 3,
                        repeat: position == 0,
                        remaining: (position == 0).then_some(b),
                        paid: [60, 0, u32::MAX],
                    })
                })
                .collect(),
            sites: vec![4, 9, 1200],
        },
        vision: VisionRecord {
            grants: (1..=700)
                .map(|e| (e, e % 9 + 1000))
                .chain([(u32::MAX, 1)])
                .collect(),
            explored: (1..=600)
                .map(|e| ExploredRecord {
                    empire: e,
                    cells: 1897,
                    bits: (0..238).map(|i| (i * 7 + e) as u8).collect(),
                })
                .collect(),
            remembered: (1..=900)
                .map(|i| MemoryRecord {
                    empire: i % 30 + 1,
                    id: i,
                    kind: EntityKind::ALL[i as usize % EntityKind::ALL.len()],
                    owner: i % 7,
                    pos: Hex::new(i as i32 - 450, -(i as i32)),
                    age_ticks: i * 3,
                    ttl_ticks: (i % 2 == 0).then_some(i),
                })
                .chain([MemoryRecord {
                    empire: u32::MAX,
                    id: u32::MAX,
                    kind: EntityKind::Station,
                    owner: u32::MAX,
                    pos: Hex::new(i32::MIN, i32::MAX),
                    age_ticks: u32::MAX,
                    ttl_ticks: Some(u32::MAX),
                }])
                .collect(),
        },
        social: SocialRecord {
            alliances: (1..=450)
                .map(|id| AllianceRecord {
                    id,
                    name: format!("Alliance {id} 你好"),
                    members: (0..2)
                        .map(|k| MemberRecord {
                            empire: id * 2 + k,
                            role: [AllianceRole::Leader, AllianceRole::Officer][k as usize],
                            since: u64::from(id * 2 + k),
                            name: format!("p{k}"),
                        })
                        .collect(),
                    invites: vec![(5000 + id, id * 2)],
                })
                .chain([AllianceRecord {
                    id: u32::MAX,
                    name: "max".into(),
                    members: vec![MemberRecord {
                        empire: u32::MAX,
                        role: AllianceRole::Member,
                        since: i64::MAX as u64,
                        name: String::new(),
                    }],
                    invites: vec![],
                }])
                .collect(),
        },
    };
    // Stored rows come back by empire, then id (as `Memory::take_record` gives them).
    first
        .vision
        .remembered
        .sort_unstable_by_key(|m| (m.empire, m.id));
    store.write_snapshot("r1", &first).await.expect("write");
    let (info, got) = store
        .load_snapshot("r1")
        .await
        .expect("load")
        .expect("some");
    assert_eq!((info.tick, &got), (100, &first));
    // The next snapshot replaces the world: moved, damaged and removed units.
    let second = WorldSnapshot {
        tick: 200,
        units: vec![unit(3, 3, -20, 5), unit(9, 0, 7, u16::MAX)],
        economy: EconomyRecord {
            stocks: vec![(3, [1, 2, 3])],
            ..EconomyRecord::default()
        },
        vision: VisionRecord {
            grants: vec![(3, 9)],
            explored: vec![ExploredRecord {
                empire: 3,
                cells: 9,
                bits: vec![0xff, 0x01],
            }],
            remembered: vec![],
        },
        social: SocialRecord {
            alliances: vec![AllianceRecord {
                id: 2,
                name: "Two".into(),
                members: vec![MemberRecord {
                    empire: 3,
                    role: AllianceRole::Leader,
                    since: 1,
                    name: "c".into(),
                }],
                invites: vec![],
            }],
        },
    };
    store.write_snapshot("r1", &second).await.expect("write");
    store.close().await;
    let store = open(&db, HomePolicy::FirstJoin).await;
    let (info, got) = store
        .load_snapshot("r1")
        .await
        .expect("load")
        .expect("some");
    assert_eq!((info.tick, got), (200, second));
}

async fn regions_do_not_share_world_state(kind: Kind) {
    let db = kind.db();
    let store = open(&db, HomePolicy::FirstJoin).await;
    let one = WorldSnapshot {
        tick: 1,
        units: vec![unit(1, 1, 1, 10), unit(2, 1, 2, 10)],
        ..WorldSnapshot::default()
    };
    // The same unit ids in another region are other units.
    let two = WorldSnapshot {
        tick: 2,
        units: vec![unit(1, 2, -1, 20)],
        ..WorldSnapshot::default()
    };
    store.write_snapshot("one", &one).await.expect("one");
    store.write_snapshot("two", &two).await.expect("two");
    store
        .write_snapshot("one", &WorldSnapshot::default())
        .await
        .expect("one emptied");
    let load = |r: &'static str| {
        let s = store.clone();
        async move { s.load_snapshot(r).await.expect("load").expect("some").1 }
    };
    assert_eq!(load("one").await, WorldSnapshot::default());
    assert_eq!(load("two").await, two);
    assert_eq!(store.load_snapshot("three").await.expect("load"), None);
}

async fn concurrent_first_joins_create_one_player(kind: Kind) {
    let db = kind.db();
    let store = open(&db, HomePolicy::FirstJoin).await;
    let joins: Vec<_> = (0..8)
        .map(|i| {
            let s = store.clone();
            let region = if i % 2 == 0 { "r1" } else { "r2" };
            tokio::spawn(async move { s.join(&who(7, "eve"), region, 6).await })
        })
        .collect();
    let mut empires = std::collections::BTreeSet::new();
    for j in joins {
        empires.insert(j.await.expect("task").expect("join").empire);
    }
    assert_eq!(empires.len(), 1, "{empires:?}");
    let count: i64 = on_pool!(store, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM players WHERE user_id = $1",
    )
    .bind(7i64)
    .fetch_one(p)
    .await
    .expect("count"));
    assert_eq!(count, 1);
    let other = store.join(&who(8, "fay"), "r1", 6).await.expect("other");
    assert!(!empires.contains(&other.empire));
}

/// The (what, value) of a [`StoreError::Corrupt`]; panics on anything else.
fn corrupt<T: std::fmt::Debug>(r: Result<T, StoreError>) -> (&'static str, i64) {
    match r {
        Err(StoreError::Corrupt { what, value }) => (what, value),
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

async fn corrupt_stored_values_are_errors(kind: Kind) {
    let db = kind.db();
    let store = open(&db, HomePolicy::FirstJoin).await;
    let world = WorldSnapshot {
        tick: 5,
        units: vec![unit(1, 1, 1, 10)],
        economy: EconomyRecord {
            stocks: vec![(1, [1, 2, 3])],
            jobs: vec![JobRecord {
                building: 1,
                job: 1,
                position: 0,
                recipe: 1,
                repeat: false,
                remaining: None,
                paid: [0; 3],
            }],
            sites: vec![1],
        },
        vision: VisionRecord {
            grants: vec![(1, 2)],
            explored: vec![ExploredRecord {
                empire: 1,
                cells: 16,
                bits: vec![3, 0],
            }],
            remembered: vec![MemoryRecord {
                empire: 1,
                id: 5,
                kind: EntityKind::Shipyard,
                owner: 2,
                pos: Hex::new(1, 1),
                age_ticks: 10,
                ttl_ticks: None,
            }],
        },
        social: SocialRecord {
            alliances: vec![AllianceRecord {
                id: 1,
                name: "One".into(),
                members: vec![MemberRecord {
                    empire: 1,
                    role: AllianceRole::Leader,
                    since: 1,
                    name: "ada".into(),
                }],
                invites: vec![(2, 1)],
            }],
        },
    };
    store.write_snapshot("r", &world).await.expect("write");
    let exec = |sql: &'static str| {
        let s = store.clone();
        async move {
            on_pool!(s, p => sqlx::query(sql).execute(p).await.map(|_| ())).expect("tamper");
        }
    };
    exec("UPDATE units SET kind = 99").await;
    assert_eq!(corrupt(store.load_snapshot("r").await), ("unit kind", 99));
    exec("UPDATE units SET kind = 1, health = 70000").await;
    assert_eq!(
        corrupt(store.load_snapshot("r").await),
        ("unit health", 70000)
    );
    exec("UPDATE units SET health = 1, q = 9000000000").await;
    assert_eq!(
        corrupt(store.load_snapshot("r").await),
        ("unit q", 9_000_000_000)
    );
    exec("UPDATE units SET q = 1").await;
    exec("UPDATE stocks SET metal = -5").await;
    assert_eq!(corrupt(store.load_snapshot("r").await), ("stock metal", -5));
    exec("UPDATE stocks SET metal = 2").await;
    exec("UPDATE jobs SET repeats = 2").await;
    assert_eq!(corrupt(store.load_snapshot("r").await), ("job repeats", 2));
    exec("UPDATE jobs SET repeats = 0, recipe = 70000").await;
    assert_eq!(
        corrupt(store.load_snapshot("r").await),
        ("job recipe", 70000)
    );
    exec("UPDATE jobs SET recipe = 1").await;
    exec("UPDATE vision_grants SET grantee = -2").await;
    assert_eq!(
        corrupt(store.load_snapshot("r").await),
        ("grant grantee", -2)
    );
    exec("UPDATE vision_grants SET grantee = 2").await;
    exec("UPDATE explored SET bits = 'x0'").await;
    assert_eq!(
        corrupt(store.load_snapshot("r").await),
        ("explored bits", 2)
    );
    exec("UPDATE explored SET bits = '0300'").await;
    exec("UPDATE last_seen SET kind = 40").await;
    assert_eq!(
        corrupt(store.load_snapshot("r").await),
        ("last seen kind", 40)
    );
    exec("UPDATE last_seen SET kind = 4, ttl_ticks = 5000000000").await;
    assert_eq!(
        corrupt(store.load_snapshot("r").await),
        ("last seen ttl", 5_000_000_000)
    );
    exec("UPDATE last_seen SET ttl_ticks = -1").await;
    exec("UPDATE alliance_members SET role = 3").await;
    assert_eq!(corrupt(store.load_snapshot("r").await), ("member role", 3));
    exec("UPDATE alliance_members SET role = 2").await;
    // A name no client may be shown (a direction override) is refused, not passed on.
    exec("UPDATE alliances SET name = 'ab\u{202E}cd'").await;
    assert_eq!(
        corrupt(store.load_snapshot("r").await),
        ("alliance name", 7)
    );
    exec("UPDATE alliances SET name = 'One'").await;
    exec("UPDATE alliance_invites SET alliance = 9").await;
    assert_eq!(
        corrupt(store.load_snapshot("r").await),
        ("alliance of a member or invitation", 9)
    );
    exec("UPDATE alliance_invites SET alliance = 1").await;
    store.load_snapshot("r").await.expect("repaired rows load");
    // Another store joined her: this one has not answered her join, so it reads the rows.
    let other = open(&db, HomePolicy::FirstJoin).await;
    other.join(&who(1, "ada"), "r", 6).await.expect("join");
    exec("UPDATE players SET empire = -1").await;
    assert_eq!(
        corrupt(store.join(&who(1, "ada"), "r", 6).await),
        ("player empire", -1)
    );
    exec("UPDATE players SET empire = 1").await;
    exec("UPDATE region_empires SET spawn = -5").await;
    assert_eq!(
        corrupt(store.join(&who(1, "ada"), "r", 6).await),
        ("spawn", -5)
    );
}

/// A join answered before is answered again without the database, unless the username
/// changed; the answer is the stored one, and another store still reads the rows.
async fn rejoins_are_answered_from_memory(kind: Kind) {
    let db = kind.db();
    let registry = prometheus::Registry::new();
    let metrics = DbMetrics::register(&registry);
    let store = Store::open_with(&db.url, StoreOptions::default(), metrics)
        .await
        .expect("open");
    let count = |source: &str| {
        let text = prometheus::TextEncoder::new()
            .encode_to_string(&registry.gather())
            .expect("encode");
        let key = format!("starlane_region_joins_total{{source=\"{source}\"}} ");
        text.lines()
            .find_map(|l| l.strip_prefix(&key)?.trim().parse::<u64>().ok())
            .expect("joins series")
    };
    let a = store.join(&who(1, "ada"), "r1", 6).await.expect("first");
    assert_eq!((count("cache"), count("database")), (0, 1));
    for _ in 0..3 {
        assert_eq!(store.join(&who(1, "ada"), "r1", 6).await.expect("again"), a);
    }
    assert_eq!((count("cache"), count("database")), (3, 1));
    // Another region: its own spawn, read from the database.
    store.join(&who(1, "ada"), "r2", 6).await.expect("r2");
    assert_eq!(count("database"), 2);
    // A new username goes to the database (and is stored), then is remembered.
    assert_eq!(
        store.join(&who(1, "ada2"), "r1", 6).await.expect("renamed"),
        a
    );
    assert_eq!(
        store.join(&who(1, "ada2"), "r1", 6).await.expect("again"),
        a
    );
    assert_eq!((count("cache"), count("database")), (4, 3));
    let stored = store.player(1).await.expect("lookup").expect("stored");
    assert_eq!(stored.username, "ada2");
    // The rows are the truth: a store that never answered her reads the same empire.
    let other = open(&db, HomePolicy::FirstJoin).await;
    assert_eq!(
        other.join(&who(1, "ada2"), "r1", 6).await.expect("other"),
        a
    );
}

/// A batch (new players, a user twice, a known player renamed, a player new to the region)
/// gets the answers one join at a time would give: distinct empires, spawns in turn, the
/// known empire kept, the new username stored; and the next batch finds them all.
async fn joins_that_arrive_together_are_answered_as_one_by_one(kind: Kind) {
    let db = kind.db();
    let store = open(&db, HomePolicy::FirstJoin).await;
    let known = store.join(&who(1, "ada"), "r1", 3).await.expect("ada");
    let elsewhere = store.join(&who(2, "bob"), "r2", 3).await.expect("bob");
    let batch = [
        who(3, "cy"),
        who(1, "ada2"),
        who(4, "dee"),
        who(3, "cy"),
        who(2, "bob"),
    ];
    let got: Vec<EmpireRecord> = store
        .join_many(&batch, "r1", 3)
        .await
        .into_iter()
        .map(|r| r.expect("join"))
        .collect();
    assert_eq!(got[1], known, "a renamed player keeps the empire");
    assert_eq!(got[0], got[3], "a user listed twice is one player");
    assert_eq!(got[4].empire, elsewhere.empire, "players are global");
    let mut empires: Vec<u32> = [&got[0], &got[2], &got[4], &known]
        .iter()
        .map(|e| e.empire)
        .collect();
    empires.sort_unstable();
    empires.dedup();
    assert_eq!(empires.len(), 4, "new players get new empires: {got:?}");
    let mut spawns: Vec<u32> = [&got[0], &got[2], &got[4], &known]
        .iter()
        .map(|e| e.spawn_index)
        .collect();
    spawns.sort_unstable();
    assert_eq!(spawns, [0, 0, 1, 2], "spawns handed out in turn");
    let renamed = store.player(1).await.expect("lookup").expect("stored");
    assert_eq!(renamed.username, "ada2");
    store.close().await;
    let store = open(&db, HomePolicy::FirstJoin).await;
    let again: Vec<EmpireRecord> = store
        .join_many(&batch, "r1", 3)
        .await
        .into_iter()
        .map(|r| r.expect("rejoin"))
        .collect();
    assert_eq!(again, got, "a reopened store finds the same empires");
}
