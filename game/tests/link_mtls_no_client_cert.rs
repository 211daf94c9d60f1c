//! Scenario: an edge that presents no client certificate is refused at the handshake by a
//! region trusting a cluster CA; the refusal is counted as `no_client_cert` and no link opens.

#![allow(clippy::unwrap_used)]

use crate::mtls;

use mtls::*;
use starlane_netcore::tls::pki::DevCa;

#[tokio::test]
async fn edge_without_a_client_certificate_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ca = DevCa::generate("cluster").unwrap();
    let ca_file = ca.write_cert_in(dir.path(), "ca").unwrap();
    let region = region_with_ca_cert(dir.path(), &ca, Some(&ca_file), Vec::new()).await;

    assert_eq!(try_session(&region, &ca, None, 7).await, Outcome::Refused);
    let refusals = region.link_refusals();
    assert_eq!(refusals.no_client_cert, 1, "{refusals:?}");
    assert_eq!(refusals.total(), 1);
    assert_eq!(region.link_stats().links_opened, 0);
    region.shutdown().await.unwrap();
}
