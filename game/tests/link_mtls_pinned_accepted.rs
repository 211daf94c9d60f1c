//! Scenario: a region trusting pinned edge certificates (SHA-256, no CA) accepts an edge whose
//! self-signed certificate is pinned.

#![allow(clippy::unwrap_used)]

use crate::mtls;

use mtls::*;
use starlane_game::runtime::link::trust::{fingerprint, hex};
use starlane_netcore::tls::pki::{DevCa, Purpose, self_signed};

#[tokio::test]
async fn pinned_edge_certificate_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let ca = DevCa::generate("region issuer").unwrap();
    let edge = self_signed(&["starlane-edge"], Purpose::Edge).unwrap();
    // Pins may be written with ':' separators and in capitals.
    let pin = hex(&fingerprint(&edge.cert_der));
    let pretty = pin
        .as_bytes()
        .chunks(2)
        .map(|c| String::from_utf8_lossy(c).to_uppercase())
        .collect::<Vec<_>>()
        .join(":");
    let region = region_with_ca_cert(dir.path(), &ca, None, vec![pretty]).await;

    assert_eq!(
        try_session(&region, &ca, Some(&edge), 7).await,
        Outcome::Joined
    );
    assert_eq!(region.link_stats().links_opened, 1);
    assert_eq!(region.link_refusals().total(), 0);
    region.shutdown().await.unwrap();
}
