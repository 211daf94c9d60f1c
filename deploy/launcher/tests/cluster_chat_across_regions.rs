//! Scenario: chat end to end across the launcher's cluster (every part a process: PostgreSQL,
//! Redis, regions r1 and r2 with their edges). Alice plays in r1 and Bob in r2, each a native
//! client on encrypted UDP that asked its region's connect endpoint for an edge. Alice writes
//! to Bob privately: client → edge → r1 → Redis → r2 → edge → Bob, and her own copy comes
//! back. Bob says something to his region, which Alice never reads, and answers her
//! privately, which she does.

use crate::common::{WAIT, player};
use starlane_client::{Client, ClientEvent};
use starlane_launcher::{Cluster, ClusterOptions};
use starlane_protocol::Command;
use starlane_protocol::social::{ChatChannel, ChatMessage, ChatTo, SocialMsg};
use tokio::time::Instant;

/// The next chat message `client` reads.
async fn next_chat(client: &mut Client, who: &str) -> ChatMessage {
    let deadline = Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, client.next_event()).await {
            Ok(Some(ClientEvent::Social(SocialMsg::Chat(c)))) => return c,
            Ok(Some(ClientEvent::Closed(why))) => panic!("{who}: closed: {why}"),
            Ok(Some(_)) => {}
            Ok(None) => panic!("{who}: the session ended"),
            Err(_) => panic!("{who}: no chat within {WAIT:?}"),
        }
    }
}

fn chat(to: ChatTo, text: &str) -> Command {
    Command::Chat {
        to,
        text: text.into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_chat_crosses_regions_end_to_end() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut opts = ClusterOptions::new(dir.path());
    opts.dev_http = "127.0.0.1:0".parse().expect("address");
    opts.log_filter = "warn".into();
    opts.prefix = format!("launcher_chat_{}:", std::process::id());
    let cluster = Cluster::start(opts).await.expect("the cluster starts");
    let mut alice = player(&cluster, "r1", "alice").await;
    let mut bob = player(&cluster, "r2", "bob").await;

    alice.send_command(chat(ChatTo::Player(bob.user_id), "hello Bob <b>&</b> 你好"));
    let got = next_chat(&mut bob, "bob").await;
    assert_eq!(
        got,
        ChatMessage {
            channel: ChatChannel::Private,
            from: alice.user_id,
            from_name: "alice".into(),
            to: bob.user_id,
            text: "hello Bob <b>&</b> 你好".into(),
        }
    );
    assert_eq!(next_chat(&mut alice, "alice").await, got, "her own copy");

    bob.send_command(chat(ChatTo::Region, "r2 only"));
    let own = next_chat(&mut bob, "bob").await;
    assert_eq!(
        (own.channel, own.text.as_str()),
        (ChatChannel::Region, "r2 only")
    );
    bob.send_command(chat(ChatTo::Player(alice.user_id), "hi Alice"));
    // Alice's next chat is Bob's answer: his region message never reached r1's players.
    let back = next_chat(&mut alice, "alice").await;
    assert_eq!(
        (back.channel, back.from, back.text.as_str()),
        (ChatChannel::Private, bob.user_id, "hi Alice")
    );
    let echo = next_chat(&mut bob, "bob").await;
    assert_eq!(echo, back, "his own copy");
    assert_eq!(alice.world.social.chat.len(), 2);
    assert_eq!(bob.world.social.chat.len(), 3);
    alice.close();
    bob.close();
}
