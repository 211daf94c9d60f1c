//! Chat in one region without a cluster (SPEC.md §21.1): a region message reaches every
//! session of the region, an alliance message only the members' sessions (taken when it is
//! delivered), a private one its addressee and its sender's sessions and no one else; texts
//! that could break a client, and texts over the region's limit, are refused; the kind's rate
//! limit holds.

use crate::common::combat::*;
use crate::common::{LINK, join_on, session_msgs, sim_on};
use starlane_game::RegionConfig;
use starlane_game::config::SocialConfig;
use starlane_game::map::GameMap;
use starlane_game::world::{LinkId, RegionSim};
use starlane_protocol::link::{LinkServerMsg, RegionToEdge, SessionId};
use starlane_protocol::social::{ChatChannel, ChatMessage, ChatTo, SocialMsg};
use starlane_protocol::{Command, CommandError};

/// The chat messages for `session` in `frames`.
fn chat(frames: &[(LinkId, RegionToEdge)], session: SessionId) -> Vec<ChatMessage> {
    session_msgs(frames, session)
        .into_iter()
        .filter_map(|m| match m {
            LinkServerMsg::Social(SocialMsg::Chat(c)) => Some(c),
            _ => None,
        })
        .collect()
}

/// Empires 7, 8 and 9 on sessions 1, 2, 3, and a second session (4) of empire 7's player.
fn region() -> RegionSim {
    let config = RegionConfig {
        asteroid_percent: 0,
        pirates: 0,
        social: SocialConfig {
            chat_max_bytes: 16,
            ..SocialConfig::default()
        },
        ..RegionConfig::default()
    };
    let mut sim = sim_on(config, GameMap::generate(9, 1, 0));
    for (session, empire) in [(1, 7), (2, 8), (3, 9), (4, 7)] {
        sim.push(join_on(LINK, session, empire, 0));
    }
    sim.step();
    sim
}

fn say(to: ChatTo, text: &str) -> Command {
    Command::Chat {
        to,
        text: text.into(),
    }
}

#[test]
fn each_channel_reaches_exactly_its_readers() {
    let mut sim = region();
    sim.push(order(1, 1, say(ChatTo::Region, "<b>hi</b> & 你")));
    let f = sim.step();
    assert_eq!(answers(&f, 1), vec![(1, Ok(()))]);
    let expected = ChatMessage {
        channel: ChatChannel::Region,
        from: 7,
        from_name: "u7".into(),
        to: 0,
        text: "<b>hi</b> & 你".into(),
    };
    for session in 1..=4 {
        assert_eq!(
            chat(&f, session),
            vec![expected.clone()],
            "session {session}"
        );
    }

    // Private: the addressee and the sender's own sessions, not the third player.
    sim.push(order(2, 1, say(ChatTo::Player(7), "psst")));
    let f = sim.step();
    assert_eq!(answers(&f, 2), vec![(1, Ok(()))]);
    for (session, reads) in [(1, true), (2, true), (3, false), (4, true)] {
        assert_eq!(
            chat(&f, session).len(),
            usize::from(reads),
            "session {session}"
        );
    }
    assert_eq!(chat(&f, 1)[0].to, 7);
    assert_eq!(chat(&f, 1)[0].channel, ChatChannel::Private);

    // A private message to a player who is not here is accepted and read by no one else.
    sim.push(order(3, 1, say(ChatTo::Player(123_456), "anyone?")));
    let f = sim.step();
    assert_eq!(answers(&f, 3), vec![(1, Ok(()))]);
    assert_eq!(chat(&f, 3).len(), 1, "the sender's copy");
    for session in [1, 2, 4] {
        assert!(chat(&f, session).is_empty());
    }

    // Alliance: only members.
    sim.push(order(
        1,
        2,
        Command::CreateAlliance {
            name: "Ally".into(),
        },
    ));
    sim.push(order(1, 3, Command::InviteToAlliance { empire: 8 }));
    sim.push(order(2, 2, Command::JoinAlliance { alliance: 1 }));
    sim.step();
    sim.push(order(2, 3, say(ChatTo::Alliance, "to arms")));
    let f = sim.step();
    assert_eq!(answers(&f, 2), vec![(3, Ok(()))]);
    for (session, reads) in [(1, true), (2, true), (3, false), (4, true)] {
        assert_eq!(
            chat(&f, session).len(),
            usize::from(reads),
            "session {session}"
        );
    }
}

#[test]
fn texts_that_could_break_a_client_or_run_long_are_refused() {
    let mut sim = region();
    let cases: [(&str, CommandError); 7] = [
        ("", CommandError::InvalidText),
        ("   ", CommandError::InvalidText),
        ("a\u{1b}[2Jb", CommandError::InvalidText),
        ("line\nbreak", CommandError::InvalidText),
        ("rtl\u{202E}txet", CommandError::InvalidText),
        ("seventeen bytes!!", CommandError::TextTooLong),
        ("你好你好你好", CommandError::TextTooLong),
    ];
    for (seq, (text, error)) in (1..).zip(cases) {
        sim.push(order(1, seq, say(ChatTo::Region, text)));
        let f = sim.step();
        assert_eq!(answers(&f, 1), vec![(seq, Err(error))], "{text:?}");
        assert!(chat(&f, 2).is_empty(), "{text:?} was delivered");
        // Rejections spend the kind's tokens too: wait them back.
        for _ in 0..20 {
            sim.step();
        }
    }
    sim.push(order(1, 100, say(ChatTo::Alliance, "alone")));
    assert_eq!(
        answers(&sim.step(), 1),
        vec![(100, Err(CommandError::NotInAlliance))]
    );
}

#[test]
fn the_chat_kind_limit_holds_per_user() {
    let mut sim = region();
    // Burst 5, one a second: the sixth in the same tick is refused.
    for seq in 1..=6 {
        sim.push(order(3, seq, say(ChatTo::Region, "spam")));
    }
    let f = sim.step();
    let got: Vec<_> = answers(&f, 3).into_iter().map(|(_, r)| r).collect();
    assert_eq!(got[..5], [Ok(()); 5]);
    assert_eq!(got[5], Err(CommandError::RateLimited));
    assert_eq!(chat(&f, 1).len(), 5);
}
