//! Simulated-time driver shared by the emulator tests: no sleeping, no clock reads after the
//! base instant.

#![allow(dead_code)]

use starlane_netcore::proto::emulator::Emulator;
use std::time::{Duration, Instant};

/// One delivery: when it happened (offset from the base instant) and the datagram.
pub type Delivery = (Duration, Vec<u8>);

/// A datagram carrying its index (8 bytes) padded to `len` bytes (at least 8).
pub fn packet(id: u64, len: usize) -> Vec<u8> {
    let mut data = id.to_le_bytes().to_vec();
    data.resize(len.max(8), 0xab);
    data
}

/// The index carried by a datagram made by [`packet`].
pub fn id_of(data: &[u8]) -> u64 {
    u64::from_le_bytes(data[..8].try_into().expect("packets carry 8 id bytes"))
}

/// Send each `(offset, datagram)` at its offset (offsets ascending), delivering every datagram
/// at exactly its due time, then drain what is still on its way.
pub fn run(
    emulator: &mut Emulator,
    base: Instant,
    sends: impl IntoIterator<Item = (Duration, Vec<u8>)>,
) -> Vec<Delivery> {
    let mut out = Vec::new();
    for (offset, datagram) in sends {
        deliver_until(emulator, base, Some(base + offset), &mut out);
        emulator.send(base + offset, datagram);
    }
    deliver_until(emulator, base, None, &mut out);
    out
}

fn deliver_until(
    emulator: &mut Emulator,
    base: Instant,
    until: Option<Instant>,
    out: &mut Vec<Delivery>,
) {
    while let Some(due) = emulator.poll_timeout() {
        if until.is_some_and(|until| due > until) {
            break;
        }
        let data = emulator.poll_deliver(due).expect("a datagram is due");
        out.push((due - base, data));
    }
}

/// `count` packets of `len` bytes, one every `every`.
pub fn steady(
    count: u64,
    len: usize,
    every: Duration,
) -> impl Iterator<Item = (Duration, Vec<u8>)> {
    (0..count).map(move |id| (every * id as u32, packet(id, len)))
}
