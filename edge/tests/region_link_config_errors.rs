//! Scenario: region-link TLS files the edge cannot use are reported before it connects, with
//! the field and the fix: an unreadable CA file, a CA file without a certificate, and a client
//! key that does not match the client certificate. Good files pass.

#![allow(clippy::unwrap_used)]

use starlane_edge::config::EdgeConfig;
use starlane_edge::region_link::RegionLinkConfig;
use starlane_netcore::tls::pki::{DevCa, Purpose};

#[test]
fn unusable_link_files_name_their_field() {
    let dir = tempfile::tempdir().unwrap();
    let ca = DevCa::generate("cluster").unwrap();
    let check = |section: &starlane_edge::config::RegionLinkSection| {
        RegionLinkConfig::from_section(section, "edge").check()
    };

    let mut section = EdgeConfig::default().region_link;
    section.ca_file = Some(dir.path().join("missing.pem"));
    let err = check(&section).unwrap_err().to_string();
    assert!(
        err.contains("region_link.ca_file") && err.contains("fix:"),
        "{err}"
    );

    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "not a certificate\n").unwrap();
    section.ca_file = Some(empty);
    let err = check(&section).unwrap_err().to_string();
    assert!(
        err.contains("region_link.ca_file") && err.contains("no usable"),
        "{err}"
    );

    section.ca_file = Some(ca.write_cert_in(dir.path(), "ca").unwrap());
    let (cert, _) = ca
        .issue(&["starlane-edge"], Purpose::Edge)
        .unwrap()
        .write_in(dir.path(), "a")
        .unwrap();
    let (_, other_key) = ca
        .issue(&["starlane-edge"], Purpose::Edge)
        .unwrap()
        .write_in(dir.path(), "b")
        .unwrap();
    section.cert_file = Some(cert.clone());
    section.key_file = Some(other_key);
    let err = check(&section).unwrap_err().to_string();
    assert!(
        err.contains("region_link.cert_file") && err.contains("does not match"),
        "{err}"
    );

    section.key_file = Some(dir.path().join("a-key.pem"));
    check(&section).unwrap();
}
