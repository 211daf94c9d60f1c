//! Scenario: two regions of one cluster on real Redis carry chat over its bus (SPEC.md
//! §21.1). A private message from a player in the east reaches its addressee in the west
//! (and the sender's own session); a region message stays in its region; each region counts
//! what it published and delivered.

use crate::cluster::cluster_config;
use crate::edge_stand_in::Edge;
use crate::ops_http::{get, sample};
use starlane_game::Region;
use starlane_protocol::Command;
use starlane_protocol::link::LinkServerMsg;
use starlane_protocol::social::{ChatChannel, ChatMessage, ChatTo, SocialMsg};

fn is_chat(m: &LinkServerMsg) -> bool {
    matches!(m, LinkServerMsg::Social(SocialMsg::Chat(_)))
}

fn chat_of(m: LinkServerMsg) -> ChatMessage {
    match m {
        LinkServerMsg::Social(SocialMsg::Chat(c)) => c,
        other => panic!("not a chat: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_chat_crosses_regions_and_region_chat_stays_home() {
    let (east_dir, west_dir) = (
        tempfile::tempdir().expect("dir"),
        tempfile::tempdir().expect("dir"),
    );
    let east_config = cluster_config(east_dir.path(), "chat-east");
    let mut west_config = cluster_config(west_dir.path(), "chat-west");
    west_config.cluster.prefix = east_config.cluster.prefix.clone();
    let east = Region::start(east_config).await.expect("east starts");
    let west = Region::start(west_config).await.expect("west starts");
    let mut east_edge = Edge::connect(&east).await;
    let mut west_edge = Edge::connect(&west).await;
    east_edge.join(1, 501).await;
    west_edge.join(1, 502).await;

    // West says something to its region, then writes to the east's player.
    west_edge.command(
        1,
        1,
        Command::Chat {
            to: ChatTo::Region,
            text: "west only".into(),
        },
    );
    let own = chat_of(west_edge.until(is_chat).await);
    assert_eq!(
        (own.channel, own.text.as_str()),
        (ChatChannel::Region, "west only")
    );
    west_edge.command(
        1,
        2,
        Command::Chat {
            to: ChatTo::Player(501),
            text: "hello from the west, 你好".into(),
        },
    );
    // The east's player's first chat is the private one: the region message never came.
    let got = chat_of(east_edge.until(is_chat).await);
    assert_eq!(
        got,
        ChatMessage {
            channel: ChatChannel::Private,
            from: 502,
            from_name: "user502".into(),
            to: 501,
            text: "hello from the west, 你好".into(),
        }
    );
    let echo = chat_of(west_edge.until(is_chat).await);
    assert_eq!(echo, got, "the sender's copy");

    // The east answers; the west's player reads it.
    east_edge.command(
        1,
        1,
        Command::Chat {
            to: ChatTo::Player(502),
            text: "hi back".into(),
        },
    );
    let back = chat_of(west_edge.until(is_chat).await);
    assert_eq!(
        (back.from, back.to, back.text.as_str()),
        (501, 502, "hi back")
    );

    let (_, text) = get(west.http_addr(), "/metrics").await.expect("scrape");
    assert_eq!(
        sample(&text, "starlane_region_chat_sent_total", ""),
        Some(2.0)
    );
    assert_eq!(
        sample(&text, "starlane_region_chat_bus_published_total", ""),
        Some(2.0)
    );
    // The west delivered: its region message, its own private copy, the east's answer.
    assert_eq!(
        sample(&text, "starlane_region_chat_delivered_total", ""),
        Some(3.0)
    );
    drop((east_edge, west_edge));
    east.shutdown().await.expect("east stops");
    west.shutdown().await.expect("west stops");
}
