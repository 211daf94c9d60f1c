//! Golden vectors of the WebSocket link (`netcore/vectors/websocket.json`, format in
//! `netcore/WEBSOCKET.md`): each valid message encodes to exactly its bytes and decodes back;
//! each invalid one is refused with its named reason.

use crate::golden_common::{bytes, load, text};
use starlane_netcore::proto::ws::{Channel, decode, encode};

#[test]
fn every_websocket_vector_holds() {
    let vectors = load("websocket.json");
    assert!(vectors.len() >= 8, "vectors: {}", vectors.len());
    let (mut valid, mut invalid) = (0, 0);
    for v in &vectors {
        let name = text(v, "name");
        let hex = bytes(v, "hex");
        if let Some(error) = v.get("error") {
            let refused = decode(&hex).expect_err(name);
            assert_eq!(Some(refused.label()), error.as_str(), "{name}");
            invalid += 1;
            continue;
        }
        let channel = match text(v, "channel") {
            "reliable" => Channel::Reliable,
            "datagram" => Channel::Datagram,
            other => panic!("{name}: channel {other:?}"),
        };
        let body = bytes(v, "body");
        assert_eq!(encode(channel, &body), hex, "{name}");
        assert_eq!(decode(&hex), Ok((channel, &body[..])), "{name}");
        valid += 1;
    }
    assert!(
        valid >= 3 && invalid >= 4,
        "{valid} valid, {invalid} invalid"
    );
}
