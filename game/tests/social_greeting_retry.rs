//! A greeting that fails (the database unreachable, or the region's op queue full: the
//! runtime answers it `RateLimited`) is asked for again within a second, and the session gets
//! its mailbox once, from the retry.

use crate::common::{LINK, sim_on, social_msgs};
use starlane_game::RegionConfig;
use starlane_game::map::GameMap;
use starlane_game::runtime::persist::Store;
use starlane_game::runtime::player_ops;
use starlane_game::world::social::{
    OpAnswer, PlayerOp, PlayerOpDone, PlayerOpOutcome, SocialSettings,
};
use starlane_game::world::{LinkId, TickInput};
use starlane_protocol::CommandError;
use starlane_protocol::link::{PlayerIdentity, RegionToEdge};
use starlane_protocol::social::SocialMsg;

const REGION: &str = "r1";

fn identity(user: i64, name: &str) -> PlayerIdentity {
    PlayerIdentity {
        user_id: user,
        username: name.into(),
        command_stream: 0,
    }
}

#[tokio::test]
async fn a_failed_greeting_is_tried_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("region.db").display());
    let store = Store::open(&url).await.expect("store");
    let config = RegionConfig {
        region_id: REGION.into(),
        asteroid_percent: 0,
        pirates: 0,
        ..RegionConfig::default()
    };
    let limits = SocialSettings::from_config(&config).limits;
    let mut sim = sim_on(config, GameMap::generate(9, 1, 0));
    // bob mailed alice while she was away.
    let alice = identity(1, "alice");
    let empire = store.join(&alice, REGION, 1).await.expect("alice");
    store
        .join(&identity(2, "bob"), REGION, 1)
        .await
        .expect("bob");
    let mail = PlayerOp::SendMail {
        from: 2,
        to: 1,
        text: "hello".into(),
    };
    let sent = player_ops::apply(&store, &mail, REGION, limits).await;
    assert_eq!(sent.result, Ok(()));

    sim.push(TickInput::Join {
        link: LINK,
        session: 1,
        player: alice,
        empire: Ok(empire),
    });
    // The first greeting fails; every later operation reaches the store.
    let (mut greets, mut failed) = (0, false);
    let mut frames: Vec<(LinkId, RegionToEdge)> = Vec::new();
    for _ in 0..30 {
        frames.extend(sim.step());
        for request in sim.take_player_ops() {
            let greet = matches!(request.op, PlayerOp::Greet { user: 1 });
            greets += u32::from(greet);
            let outcome = if greet && !failed {
                failed = true;
                assert!(matches!(request.answer, OpAnswer::Session(_)));
                PlayerOpOutcome::answer(Err(CommandError::RateLimited))
            } else {
                player_ops::apply(&store, &request.op, REGION, limits).await
            };
            let answer = request.answer;
            sim.push(TickInput::PlayerOp(PlayerOpDone { answer, outcome }));
        }
    }
    assert_eq!(greets, 2, "asked once, then once again");
    let mails: Vec<String> = social_msgs(&frames, 1)
        .into_iter()
        .filter_map(|m| match m {
            SocialMsg::Mail(item) => Some(item.text),
            _ => None,
        })
        .collect();
    assert_eq!(mails, ["hello"], "the mailbox, once");
    store.close().await;
}
