//! Friends, mail and presence (SPEC.md §22) in one region without a cluster, on a real store
//! (SQLite in a temporary directory, and PostgreSQL): requests and acceptance reach both
//! players, each command's checks refuse in order, mail waits in the mailbox of a player who
//! is away and comes when its session opens, presence follows sessions and idleness, and
//! after a region restart (a new region on the same store) friends and mail are all there and
//! the last run's players read offline.

use crate::common::combat::{answers, order};
use crate::common::{LINK, sim_on, social_msgs};
use starlane_game::RegionConfig;
use starlane_game::config::{CommandKinds, KindLimit, SocialConfig};
use starlane_game::map::GameMap;
use starlane_game::runtime::persist::Store;
use starlane_game::runtime::player_ops;
use starlane_game::world::social::{PlayerOpDone, SocialSettings};
use starlane_game::world::{LinkId, RegionSim, TickInput};
use starlane_protocol::link::{PlayerIdentity, RegionToEdge, SessionId};
use starlane_protocol::social::{FriendState, MailItem, Presence, SocialMsg};
use starlane_protocol::{Command, CommandError};

const REGION: &str = "r1";
/// alice, bob, carol and dave: user ids 1 to 4, on sessions of the same number.
const NAMES: [&str; 4] = ["alice", "bob", "carol", "dave"];

fn config() -> RegionConfig {
    RegionConfig {
        region_id: REGION.into(),
        asteroid_percent: 0,
        pirates: 0,
        social: SocialConfig {
            max_friends: 2,
            mailbox_max: 2,
            mail_max_bytes: 64,
            idle_secs: 10,
            ..SocialConfig::default()
        },
        // The kinds' own limits are tested elsewhere (command_kind_limits).
        command_kinds: CommandKinds {
            friend: KindLimit { rate: 0, burst: 1 },
            mail: KindLimit { rate: 0, burst: 1 },
            ..CommandKinds::default()
        },
        ..RegionConfig::default()
    }
}

/// A region on `store` with the link open.
fn region() -> RegionSim {
    sim_on(config(), GameMap::generate(9, 1, 0))
}

fn identity(user: i64) -> PlayerIdentity {
    PlayerIdentity {
        user_id: user,
        username: NAMES[(user - 1) as usize].into(),
        command_stream: 0,
    }
}

/// Join `user` (known to the store) on session `user`.
async fn join(sim: &mut RegionSim, store: &Store, user: i64) {
    let empire = store.join(&identity(user), REGION, 1).await.expect("join");
    sim.push(TickInput::Join {
        link: LINK,
        session: user as SessionId,
        player: identity(user),
        empire: Ok(empire),
    });
}

/// Step `ticks` times, applying the tick's player operations to `store` as the runtime does
/// (their outcomes come back for the next tick); every frame of those ticks.
async fn run(sim: &mut RegionSim, store: &Store, ticks: u32) -> Vec<(LinkId, RegionToEdge)> {
    let limits = SocialSettings::from_config(&config()).limits;
    let mut frames = Vec::new();
    for _ in 0..ticks {
        frames.extend(sim.step());
        for request in sim.take_player_ops() {
            let outcome = player_ops::apply(store, &request.op, REGION, limits).await;
            let answer = request.answer;
            sim.push(TickInput::PlayerOp(PlayerOpDone { answer, outcome }));
        }
    }
    frames
}

fn friend(user: u64, state: FriendState, presence: Presence) -> SocialMsg {
    SocialMsg::Friend {
        user,
        name: NAMES[(user - 1) as usize].into(),
        state,
        presence,
    }
}

fn mails(msgs: &[SocialMsg]) -> Vec<MailItem> {
    msgs.iter()
        .filter_map(|m| match m {
            SocialMsg::Mail(m) => Some(m.clone()),
            _ => None,
        })
        .collect()
}

async fn command(
    sim: &mut RegionSim,
    store: &Store,
    session: SessionId,
    seq: u32,
    command: Command,
) -> (Result<(), CommandError>, Vec<(LinkId, RegionToEdge)>) {
    sim.push(order(session, seq, command));
    let frames = run(sim, store, 3).await;
    let answer = answers(&frames, session);
    assert_eq!(answer.len(), 1, "one answer to {seq}: {answer:?}");
    (answer[0].1, frames)
}

fn mail(to: u64, text: &str) -> Command {
    Command::SendMail {
        to,
        text: text.into(),
    }
}

async fn scenario(url: &str) {
    let store = Store::open(url).await.expect("store");
    let mut sim = region();
    // carol and dave exist (they played before) but are away.
    for user in [3, 4] {
        store.join(&identity(user), REGION, 1).await.expect("join");
    }
    join(&mut sim, &store, 1).await;
    join(&mut sim, &store, 2).await;
    let f = run(&mut sim, &store, 3).await;
    assert!(social_msgs(&f, 1).is_empty() && social_msgs(&f, 2).is_empty());

    // A request, then its acceptance: both read it, the friends with each other's presence.
    let (r, f) = command(&mut sim, &store, 1, 1, Command::AddFriend { user: 2 }).await;
    assert_eq!(r, Ok(()));
    let requested = friend(2, FriendState::Requested, Presence::Offline);
    assert_eq!(social_msgs(&f, 1), vec![requested]);
    assert_eq!(
        social_msgs(&f, 2),
        vec![friend(1, FriendState::Asked, Presence::Offline)]
    );
    let (r, f) = command(&mut sim, &store, 2, 1, Command::AddFriend { user: 1 }).await;
    assert_eq!(r, Ok(()));
    assert_eq!(
        social_msgs(&f, 1),
        vec![friend(2, FriendState::Friends, Presence::InGame)]
    );
    assert_eq!(
        social_msgs(&f, 2),
        vec![friend(1, FriendState::Friends, Presence::InGame)]
    );
    // Asking again changes nothing.
    let (r, f) = command(&mut sim, &store, 1, 2, Command::AddFriend { user: 2 }).await;
    assert_eq!((r, social_msgs(&f, 1)), (Ok(()), vec![]));

    // The checks, in order: no such player or oneself; then the limit (2 here).
    for (seq, user, error) in [
        (3, 99, CommandError::UnknownPlayer),
        (4, 1, CommandError::UnknownPlayer),
    ] {
        let (r, _) = command(&mut sim, &store, 1, seq, Command::AddFriend { user }).await;
        assert_eq!(r, Err(error), "add {user}");
    }
    let (r, _) = command(&mut sim, &store, 1, 5, Command::AddFriend { user: 3 }).await;
    assert_eq!(r, Ok(()));
    let (r, _) = command(&mut sim, &store, 1, 6, Command::AddFriend { user: 4 }).await;
    assert_eq!(r, Err(CommandError::FriendLimit));

    // Mail for carol, who is away; refused texts and recipients; then her full mailbox.
    let first = "Trade?\n<i>metal</i> & 你好";
    let (r, f) = command(&mut sim, &store, 1, 7, mail(3, first)).await;
    assert_eq!(r, Ok(()));
    assert!(social_msgs(&f, 1).is_empty(), "the sender gets no copy");
    for (seq, cmd, error) in [
        (8, mail(3, "x\u{202E}y"), CommandError::InvalidText),
        (9, mail(3, " \n "), CommandError::InvalidText),
        (10, mail(3, &"m".repeat(65)), CommandError::TextTooLong),
        (11, mail(1, "me"), CommandError::UnknownPlayer),
        (12, mail(99, "who"), CommandError::UnknownPlayer),
    ] {
        let (r, _) = command(&mut sim, &store, 1, seq, cmd).await;
        assert_eq!(r, Err(error), "seq {seq}");
    }
    let (r, _) = command(&mut sim, &store, 2, 2, mail(3, "second")).await;
    assert_eq!(r, Ok(()));
    let (r, _) = command(&mut sim, &store, 2, 3, mail(3, "third")).await;
    assert_eq!(r, Err(CommandError::MailboxFull));

    // carol's session opens: alice's request, then her mail oldest first.
    join(&mut sim, &store, 3).await;
    let f = run(&mut sim, &store, 3).await;
    let greeting = social_msgs(&f, 3);
    assert_eq!(
        greeting[0],
        friend(1, FriendState::Asked, Presence::Offline)
    );
    let box_ = mails(&greeting);
    let texts: Vec<&str> = box_.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, vec![first, "second"]);
    assert_eq!((box_[0].from, box_[0].from_name.as_str()), (1, "alice"));
    assert_eq!((box_[1].from, box_[1].from_name.as_str()), (2, "bob"));
    assert!(box_[0].id < box_[1].id);

    // Deleting: her own mail once; not again, and not someone else's.
    let (r, f) = command(
        &mut sim,
        &store,
        3,
        1,
        Command::DeleteMail { id: box_[0].id },
    )
    .await;
    assert_eq!(r, Ok(()));
    assert_eq!(
        social_msgs(&f, 3),
        vec![SocialMsg::MailGone { id: box_[0].id }]
    );
    let (r, _) = command(
        &mut sim,
        &store,
        3,
        2,
        Command::DeleteMail { id: box_[0].id },
    )
    .await;
    assert_eq!(r, Err(CommandError::UnknownMail));
    let (r, _) = command(
        &mut sim,
        &store,
        2,
        4,
        Command::DeleteMail { id: box_[1].id },
    )
    .await;
    assert_eq!(r, Err(CommandError::UnknownMail));

    // Presence: idle players read Online to their friends, a command brings InGame back,
    // leaving reads Offline. (10 s at the default 20 Hz: 200 ticks; idleness is looked for
    // once a second, so within 220.)
    let f = run(&mut sim, &store, 220).await;
    let online = |user| SocialMsg::Presence {
        user,
        presence: Presence::Online,
    };
    assert!(
        social_msgs(&f, 1).contains(&online(2)),
        "{:?}",
        social_msgs(&f, 1)
    );
    assert!(social_msgs(&f, 2).contains(&online(1)));
    assert!(
        !social_msgs(&f, 3)
            .iter()
            .any(|m| matches!(m, SocialMsg::Presence { .. })),
        "not friends"
    );
    sim.push(order(2, 5, Command::Stop { unit: 0 }));
    let f = run(&mut sim, &store, 3).await;
    let in_game = SocialMsg::Presence {
        user: 2,
        presence: Presence::InGame,
    };
    assert_eq!(social_msgs(&f, 1), vec![in_game]);
    sim.push(TickInput::Leave {
        link: LINK,
        session: 2,
    });
    let f = run(&mut sim, &store, 3).await;
    assert_eq!(
        social_msgs(&f, 1),
        vec![SocialMsg::Presence {
            user: 2,
            presence: Presence::Offline
        }]
    );

    // Removing a friend: both read the end of it (bob from his next session).
    let (r, f) = command(&mut sim, &store, 1, 13, Command::RemoveFriend { user: 2 }).await;
    assert_eq!(r, Ok(()));
    assert_eq!(
        social_msgs(&f, 1),
        vec![friend(2, FriendState::None, Presence::Offline)]
    );
    let (r, _) = command(&mut sim, &store, 1, 14, Command::AddFriend { user: 2 }).await;
    assert_eq!(r, Ok(()));

    // A restart: a new region on the same store. The last run's players read offline (the
    // start marks them), and friends and mail are all there.
    drop(sim);
    let reset = store.reset_presence(REGION).await.expect("reset");
    assert!(reset.iter().all(|n| matches!(
        n.msg,
        SocialMsg::Presence {
            presence: Presence::Offline,
            ..
        }
    )));
    let mut sim = region();
    for user in [1, 2, 3] {
        join(&mut sim, &store, user).await;
    }
    let f = run(&mut sim, &store, 3).await;
    let alice = social_msgs(&f, 1);
    assert!(alice.contains(&friend(2, FriendState::Requested, Presence::Offline)));
    assert!(alice.contains(&friend(3, FriendState::Requested, Presence::Offline)));
    let bob = social_msgs(&f, 2);
    assert!(bob.contains(&friend(1, FriendState::Asked, Presence::Offline)));
    let carol = social_msgs(&f, 3);
    let texts: Vec<String> = mails(&carol).into_iter().map(|m| m.text).collect();
    assert_eq!(texts, vec!["second".to_string()]);
    store.close().await;
}

#[tokio::test]
async fn friends_mail_and_presence_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("region.db").display());
    scenario(&url).await;
}

#[tokio::test]
async fn friends_mail_and_presence_on_postgres() {
    scenario(&starlane_testbed::fresh_database()).await;
}
