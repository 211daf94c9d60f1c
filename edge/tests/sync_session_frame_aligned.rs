//! Send ticks follow the region's frames: a session sends as soon as a frame reaches the
//! mirror when its next send tick is less than half an interval away, never more often than
//! that, and the timer still drives sends when no frame comes.

#![allow(clippy::unwrap_used)]

use starlane_edge::bandwidth::BandwidthProfile;
use starlane_edge::sync::{Mirror, SessionSync};
use starlane_protocol::link::{EntityFrame, ViewChange};
use starlane_protocol::{EntityChange, EntityKind, EntityState, Hex};
use std::time::{Duration, Instant};

fn moved(tick: u32) -> EntityFrame {
    EntityFrame {
        tick,
        changed: vec![EntityChange {
            id: 1,
            pos: Some(Hex::new(tick as i32, 0)),
            health: None,
        }],
        ..EntityFrame::default()
    }
}

#[test]
fn frames_trigger_sends_at_most_once_per_interval() {
    let profile = BandwidthProfile::default(); // 20 Hz: a 50 ms interval
    let ms = Duration::from_millis;
    let t0 = Instant::now();
    let mut mirror = Mirror::new();
    mirror.apply(&EntityFrame {
        tick: 0,
        appeared: vec![EntityState {
            id: 1,
            kind: EntityKind::Scout,
            owner: 2,
            pos: Hex::new(0, 0),
            health: 10,
        }],
        ..EntityFrame::default()
    });
    let mut sync = SessionSync::new(&profile, 1, t0);
    let view = ViewChange {
        tick: 0,
        entered: vec![1],
        ..ViewChange::default()
    };
    sync.handle_view(t0, &view, &mirror);
    assert_eq!(sync.poll_transmit(t0, &mirror).len(), 1);
    assert_eq!(sync.next_send(), t0 + ms(50));

    // A frame 10 ms later: the next tick is 40 ms away, more than half an interval: wait.
    mirror.apply(&moved(1));
    assert!(sync.poll_transmit_on_frame(t0 + ms(10), &mirror).is_empty());
    // A frame at 30 ms: 20 ms from the tick, so it goes now and the next tick moves with it.
    mirror.apply(&moved(2));
    assert_eq!(sync.poll_transmit_on_frame(t0 + ms(30), &mirror).len(), 1);
    assert_eq!(sync.next_send(), t0 + ms(80));
    // Frames every 50 ms from then on are each sent on arrival, even arriving 2 ms early.
    for (i, at) in [78, 130, 179].into_iter().enumerate() {
        mirror.apply(&moved(3 + i as u32));
        assert_eq!(
            sync.poll_transmit_on_frame(t0 + ms(at), &mirror).len(),
            1,
            "frame at {at} ms"
        );
    }
    // Without frames the timer still sends what is pending.
    mirror.apply(&moved(10));
    assert!(sync.poll_transmit(t0 + ms(200), &mirror).is_empty());
    assert_eq!(sync.poll_transmit(sync.next_send(), &mirror).len(), 1);
}
