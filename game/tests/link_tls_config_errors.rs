//! Scenario: link TLS settings a region cannot use stop it at start with an error naming the
//! field and the fix: an unreadable CA file, a key that does not match the certificate, and
//! production mode without trust or without a real certificate.

#![allow(clippy::unwrap_used)]

use crate::mtls;

use mtls::*;
use starlane_game::{ConfigError, Region};
use starlane_netcore::tls::pki::{Purpose, self_signed};

#[tokio::test]
async fn unusable_link_tls_settings_name_their_field() {
    let dir = tempfile::tempdir().unwrap();

    let mut cfg = region_config(dir.path());
    cfg.link.ca_file = dir.path().join("missing-ca.pem");
    let err = Region::start(cfg).await.unwrap_err().to_string();
    assert!(
        err.contains("link.ca_file") && err.contains("fix:"),
        "{err}"
    );

    let pair = || self_signed(&["starlane-region"], Purpose::Region).unwrap();
    let (cert, _) = pair().write_in(dir.path(), "a").unwrap();
    let (_, other_key) = pair().write_in(dir.path(), "b").unwrap();
    let mut cfg = region_config(dir.path());
    cfg.link_cert = cert.clone();
    cfg.link_key = other_key;
    let err = Region::start(cfg).await.unwrap_err().to_string();
    assert!(
        err.contains("link_cert") && err.contains("does not match"),
        "{err}"
    );

    let mut cfg = region_config(dir.path());
    cfg.link.production = true;
    let err = cfg.validate().unwrap_err();
    assert!(
        matches!(
            err,
            ConfigError::Invalid {
                field: "link.ca_file",
                ..
            }
        ),
        "{err}"
    );
    cfg.link.pins = vec!["ab".repeat(32)];
    let err = cfg.validate().unwrap_err();
    assert!(
        matches!(
            err,
            ConfigError::Invalid {
                field: "link_cert",
                ..
            }
        ),
        "{err}"
    );
}
