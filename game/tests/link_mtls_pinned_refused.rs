//! Scenario: a region trusting pinned edge certificates refuses an edge whose certificate is
//! not pinned, even one from a CA (pins are exact); the refusal is counted as `not_pinned`.

#![allow(clippy::unwrap_used)]

use crate::mtls;

use mtls::*;
use starlane_game::runtime::link::trust::{fingerprint, hex};
use starlane_netcore::tls::pki::{DevCa, Purpose, self_signed};

#[tokio::test]
async fn unpinned_edge_certificate_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ca = DevCa::generate("region issuer").unwrap();
    let pinned = self_signed(&["starlane-edge"], Purpose::Edge).unwrap();
    let region = region_with_ca_cert(
        dir.path(),
        &ca,
        None,
        vec![hex(&fingerprint(&pinned.cert_der))],
    )
    .await;

    let other = self_signed(&["starlane-edge"], Purpose::Edge).unwrap();
    assert_eq!(
        try_session(&region, &ca, Some(&other), 7).await,
        Outcome::Refused
    );
    let issued = ca.issue(&["starlane-edge"], Purpose::Edge).unwrap();
    assert_eq!(
        try_session(&region, &ca, Some(&issued), 8).await,
        Outcome::Refused
    );
    let refusals = region.link_refusals();
    assert_eq!(refusals.not_pinned, 2, "{refusals:?}");
    assert_eq!(refusals.total(), 2);
    assert_eq!(region.link_stats().links_opened, 0);
    region.shutdown().await.unwrap();
}
