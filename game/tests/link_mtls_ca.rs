//! Scenario: a region trusting a cluster CA accepts an edge whose client certificate that CA
//! issued: the handshake completes, the session joins, nothing is counted as refused.

#![allow(clippy::unwrap_used)]

use crate::mtls;

use mtls::*;
use starlane_netcore::tls::pki::{DevCa, Purpose};

#[tokio::test]
async fn edge_certificate_from_the_cluster_ca_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let ca = DevCa::generate("cluster").unwrap();
    let ca_file = ca.write_cert_in(dir.path(), "ca").unwrap();
    let region = region_with_ca_cert(dir.path(), &ca, Some(&ca_file), Vec::new()).await;
    let edge = ca.issue(&["starlane-edge"], Purpose::Edge).unwrap();

    assert_eq!(
        try_session(&region, &ca, Some(&edge), 7).await,
        Outcome::Joined
    );
    assert_eq!(region.link_stats().links_opened, 1);
    assert_eq!(region.link_refusals().total(), 0);
    assert_eq!(region.stats().links_refused, 0);
    region.shutdown().await.unwrap();
}
