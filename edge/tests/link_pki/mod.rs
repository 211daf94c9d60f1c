//! Region stand-ins for the region-link TLS scenarios: a QUIC server with the link ALPN that
//! presents a certificate from netcore's development PKI (`starlane_netcore::tls::pki`) and
//! can require edge certificates from a CA.
#![allow(dead_code, clippy::unwrap_used)]

use starlane_netcore::tls::pki::{DevCa, PemPair};
use starlane_netcore::tls::{ClientPinVerifier, quic_server_crypto};
use starlane_protocol::link::LINK_ALPN;
use std::sync::Arc;

/// The QUIC server configuration of a region stand-in (see [`region_endpoint`]).
pub fn server_config(
    cert: &PemPair,
    client_ca: Option<&DevCa>,
    transport: Option<quinn::TransportConfig>,
) -> quinn::ServerConfig {
    let clients = client_ca.map(|ca| {
        let verifier = ClientPinVerifier::new(Some(ca.roots().unwrap()), Vec::new()).unwrap();
        Arc::new(verifier) as Arc<dyn rustls::server::danger::ClientCertVerifier>
    });
    let quic = quic_server_crypto(&cert.identity().unwrap(), clients, LINK_ALPN).unwrap();
    let mut server = quinn::ServerConfig::with_crypto(quic);
    if let Some(t) = transport {
        server.transport_config(Arc::new(t));
    }
    server
}

/// A region stand-in on a free loopback port presenting `cert`; with `client_ca` it requires
/// edge certificates from that CA. `transport` tunes QUIC (e.g. tiny receive windows).
pub fn region_endpoint(
    cert: &PemPair,
    client_ca: Option<&DevCa>,
    transport: Option<quinn::TransportConfig>,
) -> quinn::Endpoint {
    quinn::Endpoint::server(
        server_config(cert, client_ca, transport),
        "127.0.0.1:0".parse().unwrap(),
    )
    .unwrap()
}
