//! Edge-region link frames (`starlane_protocol::link`, LINK.md), both directions, and the two
//! state machines that read them (`starlane_netcore::proto::link`).

use crate::input::Input;
use starlane_edge::sync::Mirror;
use starlane_netcore::proto::link::{
    EdgeLink, EdgeLinkConfig, EdgeLinkEvent, RegionLink, RegionLinkConfig,
};
use starlane_protocol::link::{
    EdgeToRegion, FrameDecoder, LENGTH_PREFIX, LINK_VERSION, MAX_LINK_FRAME, RegionToEdge, Welcome,
};
use std::time::Instant;

/// The first byte picks the direction (bit 0: region → edge), the framing (bit 1: the rest is
/// a stream of frames as read from the link, cut into pieces of up to 64 bytes by the next
/// byte; else one frame's type and payload) and whether the stream is also fed to the state
/// machine that reads that direction (bit 2).
pub fn link_frame(data: &[u8]) {
    let mut input = Input::new(data);
    let mode = input.u8();
    let to_edge = mode & 1 == 1;
    if mode & 2 == 0 {
        body(to_edge, input.rest());
        return;
    }
    let piece = usize::from(input.u8() % 64) + 1;
    let stream = input.rest();
    if mode & 4 != 0 {
        if to_edge {
            edge_core(stream, piece);
        } else {
            region_core(stream, piece);
        }
        return;
    }
    let mut decoder = FrameDecoder::default();
    for chunk in stream.chunks(piece) {
        decoder.push(chunk);
        loop {
            match decoder.next_frame() {
                Ok(Some(frame)) => {
                    assert!(frame.len() <= MAX_LINK_FRAME);
                    let frame = frame.to_vec();
                    body(to_edge, &frame);
                }
                Ok(None) => break,
                Err(_) => return,
            }
        }
        // Never more than one frame and one piece held.
        assert!(decoder.buffered() <= MAX_LINK_FRAME + LENGTH_PREFIX + piece);
    }
}

fn body(to_edge: bool, body: &[u8]) {
    if to_edge {
        if let Ok(msg) = RegionToEdge::decode(body) {
            let again = RegionToEdge::decode(&msg.encode()[LENGTH_PREFIX..]);
            assert_eq!(again.as_ref(), Ok(&msg), "link frame round trip");
            if let RegionToEdge::Entities(frame) = &msg {
                // What the edge does with it: apply it to its mirror, twice (a resend).
                let mut mirror = Mirror::new();
                mirror.apply(frame);
                mirror.apply(frame);
                assert!(mirror.len() <= frame.appeared.len());
            }
        }
    } else if let Ok(msg) = EdgeToRegion::decode(body) {
        let again = EdgeToRegion::decode(&msg.encode()[LENGTH_PREFIX..]);
        assert_eq!(again.as_ref(), Ok(&msg), "link frame round trip");
    }
}

/// A region's state machine reading the stream: it never panics, and once it closed it reads
/// nothing more.
fn region_core(stream: &[u8], piece: usize) {
    let now = Instant::now();
    let mut region = RegionLink::new(now, RegionLinkConfig::default());
    for chunk in stream.chunks(piece) {
        region.handle_bytes(now, chunk);
        while region.poll_event().is_some() {}
        assert!(region.read_buffered() <= MAX_LINK_FRAME + LENGTH_PREFIX + piece);
    }
    while region.poll_transmit().is_some() {}
}

/// An edge's state machine, welcomed, reading the stream: it never panics and holds nothing
/// unbounded.
fn edge_core(stream: &[u8], piece: usize) {
    let now = Instant::now();
    let mut edge = EdgeLink::new(EdgeLinkConfig::default());
    edge.handle_connected(now);
    let welcome = RegionToEdge::Welcome(Welcome {
        version: LINK_VERSION,
        instance: 1,
        region_id: "fuzz".into(),
    });
    edge.handle_bytes(now, &welcome.encode());
    assert!(matches!(edge.poll_event(), Some(EdgeLinkEvent::Up { .. })));
    for chunk in stream.chunks(piece) {
        edge.handle_bytes(now, chunk);
        while edge.poll_event().is_some() {}
    }
    while edge.poll_transmit().is_some() {}
}
