//! What closes a link (LINK.md §7), checked against both state machines: an oversized length,
//! an empty frame, an unknown or wrong-way type, a payload that does not decode, a frame
//! before `Hello`/`Welcome` and a second one. Each closes with its code and queues a `Close`
//! frame saying why; nothing after it is read.

#![allow(clippy::unwrap_used)]

use starlane_netcore::proto::link::*;
use starlane_protocol::link::*;
use std::time::Instant;

fn hello() -> Vec<u8> {
    EdgeToRegion::Hello(Hello {
        min_version: LINK_VERSION,
        max_version: LINK_VERSION,
        edge_id: "e".into(),
    })
    .encode()
}

fn frame(code: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = ((payload.len() + 1) as u32).to_le_bytes().to_vec();
    out.push(code);
    out.extend_from_slice(payload);
    out
}

/// The code a fresh region closes with after `bytes` (after a valid hello when `open`).
fn region_closes(open: bool, bytes: &[u8]) -> Option<CloseCode> {
    let now = Instant::now();
    let mut r = RegionLink::new(now, RegionLinkConfig::default());
    if open {
        r.handle_bytes(now, &hello());
        assert!(r.peer().is_some());
    }
    r.handle_bytes(now, bytes);
    // Whatever follows is ignored.
    r.handle_bytes(now, &EdgeToRegion::Leave(Leave { session: 1 }).encode());
    let mut events = Vec::new();
    while let Some(e) = r.poll_event() {
        events.push(e);
    }
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, RegionLinkEvent::Leave(_)))
    );
    if let Some(code) = r.close_code() {
        // The last frame queued says why.
        let mut d = FrameDecoder::default();
        let mut last = None;
        while let Some(chunk) = r.poll_transmit() {
            d.push(&chunk);
            while let Ok(Some(body)) = d.next_frame() {
                last = RegionToEdge::decode(body).ok();
            }
        }
        assert!(
            matches!(last, Some(RegionToEdge::Close(ref c)) if c.code == code),
            "{last:?}"
        );
    }
    r.close_code().and_then(CloseCode::from_u8)
}

#[test]
fn the_region_closes_for_each_step_of_the_checklist() {
    let oversized = ((MAX_LINK_FRAME + 1) as u32).to_le_bytes();
    let cases: [(&str, bool, Vec<u8>, CloseCode); 9] = [
        ("oversized", false, oversized.to_vec(), CloseCode::Oversized),
        ("empty", true, vec![0, 0, 0, 0], CloseCode::Malformed),
        ("unknown type", true, frame(0x7e, &[]), CloseCode::Protocol),
        (
            "wrong-way type",
            true,
            frame(0x85, &[]),
            CloseCode::Protocol,
        ),
        (
            "join garbage",
            true,
            frame(0x02, &[0xff, 0xff]),
            CloseCode::Malformed,
        ),
        (
            "hello garbage",
            false,
            frame(0x01, b"SLNX"),
            CloseCode::Malformed,
        ),
        (
            "join before hello",
            false,
            EdgeToRegion::Leave(Leave { session: 1 }).encode(),
            CloseCode::Protocol,
        ),
        ("second hello", true, hello(), CloseCode::Protocol),
        (
            "version out of range",
            false,
            EdgeToRegion::Hello(Hello {
                min_version: 1,
                max_version: 2,
                edge_id: "e".into(),
            })
            .encode(),
            CloseCode::Version,
        ),
    ];
    for (name, open, bytes, code) in cases {
        assert_eq!(region_closes(open, &bytes), Some(code), "{name}");
    }
}

#[test]
fn the_edge_closes_for_bad_region_frames_and_holds_its_sessions() {
    let now = Instant::now();
    let mut e = EdgeLink::new(EdgeLinkConfig::default());
    e.handle_connected(now);
    e.handle_bytes(
        now,
        &RegionToEdge::Joined(Joined {
            catalog: Default::default(),
            session: 1,
            empire: 1,
            tick_rate_hz: 20,
            map: starlane_protocol::MapInfo {
                chunk_radius: 1,
                chunks: Vec::new(),
                blocked: Vec::new(),
            },
        })
        .encode(),
    );
    assert_eq!(
        e.close_code(),
        Some(CloseCode::Protocol.code()),
        "frame before welcome"
    );
    e.handle_connected(now);
    let welcome = RegionToEdge::Welcome(Welcome {
        version: LINK_VERSION,
        instance: 1,
        region_id: "r".into(),
    });
    e.handle_bytes(now, &welcome.encode());
    assert!(e.is_up());
    e.join(
        5,
        starlane_protocol::link::PlayerIdentity {
            user_id: 1,
            username: "a".into(),
            command_stream: 0,
        },
    )
    .unwrap();
    e.handle_bytes(now, &frame(0x85, &[0x13]));
    assert_eq!(e.close_code(), Some(CloseCode::Malformed.code()));
    assert_eq!(e.held_count(), 1, "the session is held for the next link");
}
