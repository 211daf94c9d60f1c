//! Scenario: friends, mail and presence end to end across the launcher's cluster (every part a
//! process: PostgreSQL, Redis, regions r1 and r2 with their edges). Alice plays in r1 and Bob
//! in r2, native clients on encrypted UDP. Alice asks Bob to be friends and he accepts, each
//! step reaching the other region through the database and the cluster's bus; her mail
//! reaches him at once; when he leaves she reads him offline; the mail she sends while he is
//! away waits in the shared database and comes with his next session, with the first one he
//! kept and his friendship.

use crate::common::{WAIT, player};
use starlane_client::{Client, ClientEvent};
use starlane_launcher::{Cluster, ClusterOptions};
use starlane_protocol::Command;
use starlane_protocol::social::{FriendState, MailItem, Presence, SocialMsg};
use tokio::time::Instant;

/// The social messages `client` reads until `done` accepts one (returned).
async fn until(client: &mut Client, who: &str, done: impl Fn(&SocialMsg) -> bool) -> SocialMsg {
    let deadline = Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, client.next_event()).await {
            Ok(Some(ClientEvent::Social(m))) if done(&m) => return m,
            Ok(Some(ClientEvent::CommandResult {
                result: Err(e),
                seq,
            })) => panic!("{who}: command {seq} refused: {e:?}"),
            Ok(Some(ClientEvent::Closed(why))) => panic!("{who}: closed: {why}"),
            Ok(Some(_)) => {}
            Ok(None) => panic!("{who}: the session ended"),
            Err(_) => panic!("{who}: not within {WAIT:?}"),
        }
    }
}

fn friend_state(m: &SocialMsg, user: u64) -> Option<(FriendState, Presence)> {
    match m {
        SocialMsg::Friend {
            user: u,
            state,
            presence,
            ..
        } if *u == user => Some((*state, *presence)),
        _ => None,
    }
}

fn mail_text(m: &SocialMsg) -> Option<&MailItem> {
    match m {
        SocialMsg::Mail(item) => Some(item),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn friends_mail_and_presence_cross_regions_end_to_end() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut opts = ClusterOptions::new(dir.path());
    opts.dev_http = "127.0.0.1:0".parse().expect("address");
    opts.log_filter = "warn".into();
    opts.prefix = format!("launcher_friends_{}:", std::process::id());
    let cluster = Cluster::start(opts).await.expect("the cluster starts");
    let mut alice = player(&cluster, "r1", "alice").await;
    let mut bob = player(&cluster, "r2", "bob").await;
    let (a, b) = (alice.user_id, bob.user_id);

    alice.send_command(Command::AddFriend { user: b });
    let asked = until(&mut bob, "bob", |m| friend_state(m, a).is_some()).await;
    assert_eq!(
        asked,
        SocialMsg::Friend {
            user: a,
            name: "alice".into(),
            state: FriendState::Asked,
            presence: Presence::Offline,
        }
    );
    bob.send_command(Command::AddFriend { user: a });
    let friends = |m: &SocialMsg, u| friend_state(m, u).map(|f| f.0) == Some(FriendState::Friends);
    let seen = until(&mut alice, "alice", |m| friends(m, b)).await;
    assert_eq!(
        friend_state(&seen, b),
        Some((FriendState::Friends, Presence::InGame))
    );
    until(&mut bob, "bob", |m| friends(m, a)).await;

    let text = "Trade?\n<i>metal</i> & 你好";
    alice.send_command(Command::SendMail {
        to: b,
        text: text.into(),
    });
    let got = until(&mut bob, "bob", |m| mail_text(m).is_some()).await;
    let first = mail_text(&got).expect("a mail").clone();
    assert_eq!(
        (first.from, first.from_name.as_str(), first.text.as_str()),
        (a, "alice", text)
    );

    bob.close();
    let gone = SocialMsg::Presence {
        user: b,
        presence: Presence::Offline,
    };
    until(&mut alice, "alice", |m| *m == gone).await;
    alice.send_command(Command::SendMail {
        to: b,
        text: "while you were away".into(),
    });
    // Answered once stored: Bob's next session reads it.
    let deadline = Instant::now() + WAIT;
    let mut stored = false;
    while !stored {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, alice.next_event()).await {
            Ok(Some(ClientEvent::CommandResult { result, .. })) => {
                assert_eq!(result, Ok(()));
                stored = true;
            }
            Ok(Some(_)) => {}
            other => panic!("alice: no answer to her mail: {other:?}"),
        }
    }

    // His new session is greeted with his mailbox (the note of the second mail may come
    // first, if it reached r2 after his session opened there).
    let mut bob = player(&cluster, "r2", "bob").await;
    until(&mut bob, "bob", |m| *m == SocialMsg::Mail(first.clone())).await;
    let mailbox: Vec<&str> = bob
        .world
        .social
        .mail
        .values()
        .map(|m| m.text.as_str())
        .collect();
    assert_eq!(
        mailbox,
        vec![text, "while you were away"],
        "oldest first, both kept"
    );
    let ids: Vec<u64> = bob.world.social.mail.keys().copied().collect();
    assert!(ids[0] == first.id && ids[1] > first.id, "{ids:?}");
    assert!(
        bob.world.social.is_friend(a),
        "{:?}",
        bob.world.social.friends
    );
    alice.close();
    bob.close();
}
