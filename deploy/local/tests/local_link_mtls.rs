//! Scenario: the all-in-one server runs its edge-region link with mutual TLS by default: it
//! generates a throwaway cluster CA with region and edge certificates in its data directory,
//! the edge's link comes up with them and a player plays through it, while a connection
//! presenting no client certificate is refused by the region and counted.

#![allow(clippy::unwrap_used)]

use crate::common;

use common::*;
use starlane_netcore::tls::{ServerTrust, load_roots, quic_client_crypto};
use starlane_protocol::link::LINK_ALPN;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_server_links_edge_and_region_with_mutual_tls() {
    let server = start().await;
    let pki = server.dir.path().join("data").join("link-pki");
    for file in [
        "ca.pem",
        "region-cert.pem",
        "region-key.pem",
        "edge-cert.pem",
        "edge-key.pem",
    ] {
        assert!(pki.join(file).is_file(), "{file} generated");
    }
    // Joining needs the link: once a player is in, it is up (checking before races its start).
    let alice = server.join("alice").await;
    assert!(server.local.edge().region_link_up());
    assert!(alice.world.my_units().next().is_some());
    assert_eq!(server.local.region().link_stats().links_opened, 1);
    assert_eq!(server.local.region().link_refusals().total(), 0);

    // A client trusting the cluster CA but presenting no certificate of its own is refused.
    let roots = load_roots(&pki.join("ca.pem"), "test").unwrap();
    let quic = quic_client_crypto(&ServerTrust::Roots(roots), None, LINK_ALPN).unwrap();
    let mut endpoint = quinn::Endpoint::client("127.0.0.1:0".parse().unwrap()).unwrap();
    endpoint.set_default_client_config(quinn::ClientConfig::new(quic));
    let link_addr = server.local.region().link_addr();
    let addr = std::net::SocketAddr::new([127, 0, 0, 1].into(), link_addr.port());
    // The handshake may complete on this side before the region judges the (missing)
    // certificate; either way the connection ends without a stream being served.
    if let Ok(conn) = endpoint.connect(addr, "starlane-region").unwrap().await {
        let closed = tokio::time::timeout(std::time::Duration::from_secs(10), conn.closed())
            .await
            .unwrap();
        assert!(!matches!(closed, quinn::ConnectionError::LocallyClosed));
    }
    for _ in 0..100 {
        if server.local.region().link_refusals().no_client_cert == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(server.local.region().link_refusals().no_client_cert, 1);
    assert_eq!(server.local.region().link_stats().links_opened, 1);
    server.local.shutdown().await.unwrap();
}
