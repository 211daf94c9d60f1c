//! The server hands a peer's consecutive datagrams to the kernel as one GSO send, and the
//! client still gets every one: a large reliable message (many full datagrams) from the server
//! arrives whole, in fewer send calls than datagrams.

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
    assert!(
        sends * 2 <= out,
        "{out} datagrams in {sends} sends: the runs were not gathered ({calls:?})"
    );
    assert!(calls.receive_calls > 0, "{calls:?}");
    assert_eq!(server.drops().total(), 0);
    server.shutdown();
}
