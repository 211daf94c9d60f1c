//! The server hands a peer's consecutive datagrams to the kernel as one GSO send, and the
//! client still gets every one: a large reliable message (many full datagrams) from the server
//! arrives whole, and its datagrams leave in runs: one send carries many of them.
//!
//! How many sends the whole exchange takes depends on how the acks for the client's answer
//! interleave with the loop's wake-ups (a loaded machine wakes it once per datagram or two),
//! so the scenario checks the run itself: the big message is in the endpoint at once (no
//! congestion window holds it back, its 59 chunks fit the reliable window), so one transmit
//! pass gathers a run of them whatever the timing.

use crate::link_events::{expect_numbered, send_numbered};
use crate::udp_common::loopback_pair;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peers_datagrams_leave_in_one_send() {
    let (server, client, mut edge) = loopback_pair().await;
    let mut client = client;
    let before = server.stats().socket_calls();
    let big: Vec<u8> = (0..60_000u32).map(|i| (i * 7) as u8).collect();
    send_numbered(&edge, 3, &big);
    expect_numbered(&mut client, 3, &big).await;
    // And the client's answer comes back through the batched reads.
    send_numbered(&client, 3, &big);
    expect_numbered(&mut edge, 3, &big).await;

    // The loop publishes its counters every 100 ms.
    let deadline = Instant::now() + Duration::from_secs(3);
    let calls = loop {
        let c = server.stats().socket_calls();
        if c.datagrams_in >= before.datagrams_in + 50
            && c.datagrams_out >= before.datagrams_out + 50
        {
            break c;
        }
        assert!(Instant::now() < deadline, "counters not published: {c:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let (out, sends) = (
        calls.datagrams_out - before.datagrams_out,
        calls.send_calls - before.send_calls,
    );
    assert!(sends < out, "{out} datagrams in {sends} sends ({calls:?})");
    // 59 chunks of 1,024 bytes; a run stops at 64 KiB of payload, so it holds at least 16.
    assert!(
        calls.largest_send >= 16,
        "the big message's datagrams were not gathered into one send ({calls:?})"
    );
    assert!(calls.receive_calls > 0, "{calls:?}");
    assert_eq!(server.drops().total(), 0);
    server.shutdown();
}
