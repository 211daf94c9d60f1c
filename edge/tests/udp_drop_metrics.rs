//! Datagrams the encrypted UDP driver ignores reach `/metrics` as
//! `starlane_edge_udp_dropped_total{reason}`, one series per reason (zeros included), next to
//! the endpoint's `starlane_edge_udp_sources_tracked` and `starlane_edge_udp_connections`.

#![allow(clippy::unwrap_used)] // Tests fail loudly on unexpected errors.

use starlane_edge::Edge;
use starlane_edge::config::EdgeConfig;
use starlane_netcore::proto::drops::DropReason;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common;

/// A type byte no packet has.
const UNKNOWN_TYPE: u8 = 0xEE;
/// Larger than any datagram the driver accepts (1200 bytes).
const OVERSIZED: usize = 1300;

async fn scrape(addr: SocketAddr) -> String {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /metrics HTTP/1.1\r\nHost: edge\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).await.unwrap();
    text
}

/// The value of the sample named exactly `key` (name and labels).
fn sample(text: &str, key: &str) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.rsplit_once(' '))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.trim().parse().unwrap())
}

fn dropped(reason: DropReason) -> String {
    format!(
        "starlane_edge_udp_dropped_total{{reason=\"{}\"}}",
        reason.as_str()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_datagrams_are_counted_by_reason() {
    let dir = tempfile::tempdir().unwrap();
    let (region, ck) = common::fake_region();
    let cert_file = dir.path().join("region_cert.pem");
    std::fs::write(&cert_file, &ck.cert_pem).unwrap();
    let mut cfg = EdgeConfig::default();
    let local: SocketAddr = "127.0.0.1:0".parse().unwrap();
    cfg.data_dir = dir.path().join("edge");
    cfg.udp.bind = local;
    cfg.webtransport.bind = local;
    cfg.quic.bind = local;
    cfg.websocket.bind = local;
    cfg.http.bind = local;
    // Nobody accepts the region link here; the UDP driver runs regardless.
    cfg.region_link.addr = region.local_addr().unwrap();
    cfg.region_link.region_cert_file = cert_file;
    cfg.dev_issuer.enabled = true;
    let edge = Edge::start(cfg, None).await.unwrap();

    // Every reason is exported from the start, at zero.
    let before = scrape(edge.http_addr()).await;
    for reason in DropReason::ALL {
        assert_eq!(sample(&before, &dropped(*reason)), Some(0.0), "{before}");
    }
    assert_eq!(
        sample(&before, "starlane_edge_udp_connections"),
        Some(0.0),
        "{before}"
    );
    assert!(
        sample(&before, "starlane_edge_udp_sources_tracked").is_some(),
        "{before}"
    );

    let sock = tokio::net::UdpSocket::bind(local).await.unwrap();
    for _ in 0..2 {
        sock.send_to(&[UNKNOWN_TYPE; 40], edge.udp_addr())
            .await
            .unwrap();
    }
    sock.send_to(&[UNKNOWN_TYPE; OVERSIZED], edge.udp_addr())
        .await
        .unwrap();

    // The driver publishes within 100 ms, the edge copies once a second.
    let deadline = Instant::now() + Duration::from_secs(5);
    let text = loop {
        let text = scrape(edge.http_addr()).await;
        let unknown = sample(&text, &dropped(DropReason::UnknownType));
        let oversized = sample(&text, &dropped(DropReason::Oversized));
        if unknown == Some(2.0) && oversized == Some(1.0) {
            break text;
        }
        assert!(Instant::now() < deadline, "drops never exported:\n{text}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    for reason in DropReason::ALL {
        if !matches!(reason, DropReason::UnknownType | DropReason::Oversized) {
            assert_eq!(sample(&text, &dropped(*reason)), Some(0.0), "{text}");
        }
    }
    edge.shutdown().await;
}
