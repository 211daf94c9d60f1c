//! Edge-region link frames (`starlane_protocol::link`), both directions.

use crate::input::Input;
use starlane_edge::sync::Mirror;
use starlane_protocol::link::{
    EdgeToRegion, MAX_LINK_FRAME, RegionToEdge, check_frame_len, decode_frame, encode_frame,
};

/// The first byte picks the direction (bit 0: region → edge) and the framing (bit 1: the rest
/// is a stream of length-prefixed frames as read from the link, else one frame body).
pub fn link_frame(data: &[u8]) {
    let mut input = Input::new(data);
    let mode = input.u8();
    let to_edge = mode & 1 == 1;
    let rest = input.rest();
    if mode & 2 == 0 {
        body(to_edge, rest);
        return;
    }
    // A stream as the link readers take it: a u32 little-endian length, checked before the
    // body is read, then the body.
    let mut stream = Input::new(rest);
    while !stream.is_empty() {
        let len = stream.u32();
        let Ok(len) = check_frame_len(len) else {
            assert!(len as usize > MAX_LINK_FRAME);
            return;
        };
        let frame = stream.bytes(len);
        if frame.len() < len {
            return; // the stream ended inside the frame
        }
        body(to_edge, frame);
    }
}

fn body(to_edge: bool, body: &[u8]) {
    if to_edge {
        match decode_frame::<RegionToEdge>(body) {
            Ok(msg) => {
                round_trip_to_edge(&msg);
                if let RegionToEdge::Entities(frame) = &msg {
                    // What the edge does with it: apply it to its mirror, twice (a resend).
                    let mut mirror = Mirror::new();
                    mirror.apply(frame);
                    mirror.apply(frame);
                    assert!(mirror.len() <= frame.appeared.len());
                }
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
    } else {
        match decode_frame::<EdgeToRegion>(body) {
            Ok(msg) => round_trip_to_region(&msg),
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
}

/// A decoded message encodes to a frame that decodes to the same message.
macro_rules! round_trip {
    ($name:ident, $t:ty) => {
        fn $name(msg: &$t) {
            let frame = encode_frame(msg);
            let (len, rest) = frame.split_at(4);
            let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]);
            assert_eq!(check_frame_len(len).ok(), Some(rest.len()));
            let back: $t = decode_frame(rest).expect("a re-encoded frame decodes");
            assert_eq!(&back, msg, "link frame round trip");
        }
    };
}

round_trip!(round_trip_to_edge, RegionToEdge);
round_trip!(round_trip_to_region, EdgeToRegion);
