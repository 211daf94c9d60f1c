//! Scenario: an edge whose client certificate another CA issued is refused by a region that
//! trusts only its cluster CA; the refusal is counted as `unknown_ca`. A certificate from the
//! cluster CA still gets in afterwards.

#![allow(clippy::unwrap_used)]

use crate::mtls;

use mtls::*;
use starlane_netcore::tls::pki::{DevCa, Purpose};

#[tokio::test]
async fn edge_certificate_from_another_ca_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ca = DevCa::generate("cluster").unwrap();
    let rogue = DevCa::generate("rogue").unwrap();
    let ca_file = ca.write_cert_in(dir.path(), "ca").unwrap();
    let region = region_with_ca_cert(dir.path(), &ca, Some(&ca_file), Vec::new()).await;
    let stranger = rogue.issue(&["starlane-edge"], Purpose::Edge).unwrap();

    assert_eq!(
        try_session(&region, &ca, Some(&stranger), 7).await,
        Outcome::Refused
    );
    let refusals = region.link_refusals();
    assert_eq!(refusals.unknown_ca, 1, "{refusals:?}");
    assert_eq!(region.link_stats().links_opened, 0);

    let member = ca.issue(&["starlane-edge"], Purpose::Edge).unwrap();
    assert_eq!(
        try_session(&region, &ca, Some(&member), 8).await,
        Outcome::Joined
    );
    assert_eq!(region.link_refusals().total(), 1);
    region.shutdown().await.unwrap();
}
