//! The TCP impairment proxy (the WebSocket fallback's link): bytes arrive whole and in order,
//! no sooner than the latency after they were sent, and no faster than the rate allows; the
//! other direction is shaped on its own. Only lower bounds are asserted (a loaded machine can
//! only be slower).

#![allow(clippy::unwrap_used)]

use starlane_bench::impair::TcpImpairProxy;
use starlane_netcore::proto::emulator::ImpairmentConfig;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const BYTES: usize = 48_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bytes_keep_their_order_and_take_the_latency_and_the_rate() {
    // The server sends BYTES numbered bytes at once, then echoes what it gets.
    let server = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream = server.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut s, _) = server.accept().await.unwrap();
        let data: Vec<u8> = (0..BYTES).map(|i| (i % 251) as u8).collect();
        s.write_all(&data).await.unwrap();
        let mut buf = [0u8; 64];
        let n = s.read(&mut buf).await.unwrap();
        s.write_all(&buf[..n]).await.unwrap();
    });
    let down = ImpairmentConfig {
        latency_ms: 80.0,
        rate_limit_bytes_per_sec: Some(96_000),
        ..ImpairmentConfig::default()
    };
    let up = ImpairmentConfig {
        latency_ms: 40.0,
        ..ImpairmentConfig::default()
    };
    let proxy =
        TcpImpairProxy::start("127.0.0.1:0".parse().unwrap(), upstream, &up, &down).unwrap();

    let start = Instant::now();
    let mut client = TcpStream::connect(proxy.local_addr()).await.unwrap();
    let mut got = vec![0u8; BYTES];
    let mut first = None;
    let mut read = 0;
    while read < BYTES {
        let n = client.read(&mut got[read..]).await.unwrap();
        assert!(n > 0, "the proxy closed after {read} bytes");
        first.get_or_insert_with(|| start.elapsed());
        read += n;
    }
    let all = start.elapsed();
    assert!(
        got.iter().enumerate().all(|(i, b)| *b == (i % 251) as u8),
        "bytes out of order"
    );
    let first = first.unwrap();
    // 80 ms latency; 48,000 bytes at 96,000 B/s take 500 ms on the link.
    assert!(
        first >= Duration::from_millis(80),
        "first bytes after {first:?}"
    );
    assert!(
        all >= Duration::from_millis(80 + 480),
        "all bytes after {all:?}"
    );

    // Up 40 ms, then down 80 ms (the rate adds a few bytes' worth).
    let sent = Instant::now();
    client.write_all(b"hello").await.unwrap();
    let mut echo = [0u8; 5];
    client.read_exact(&mut echo).await.unwrap();
    assert_eq!(&echo, b"hello");
    let rtt = sent.elapsed();
    assert!(rtt >= Duration::from_millis(120), "round trip {rtt:?}");
    assert!(rtt < Duration::from_secs(5), "round trip {rtt:?}");
}
