//! The QUIC link from this edge to its region server.
//!
//! quinn with the rustls ring provider; the only certificate trusted is the region's own,
//! pinned from the file the region wrote. One bidirectional stream carries length-prefixed
//! bitcode frames ([`starlane_protocol::link`]); the edge sends `Hello` first. The link is
//! re-established with exponential backoff when it drops.

use crate::metrics::EdgeMetrics;
use crate::region_hub::RegionHub;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use starlane_protocol::link::{
    EdgeToRegion, LINK_VERSION, RegionToEdge, check_frame_len, decode_frame, encode_frame,
};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// ALPN of the edge-region link.
pub const LINK_ALPN: &[u8] = b"starlane-link/1";
/// Server name used for the link's TLS handshake (the pinned certificate decides trust).
const LINK_SERVER_NAME: &str = "localhost";

/// Settings of the link client.
#[derive(Debug, Clone)]
pub struct RegionLinkConfig {
    pub addr: SocketAddr,
    pub cert_file: PathBuf,
    pub edge_id: String,
    pub connect_timeout: Duration,
    pub reconnect_min: Duration,
    pub reconnect_max: Duration,
}

/// Errors establishing or running the link.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("cannot read pinned region certificate {path}: {source}")]
    ReadCert {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("pinned region certificate {path} is not a DER or PEM certificate")]
    BadCert { path: PathBuf },
    #[error("tls setup failed: {0}")]
    Tls(String),
    #[error("cannot create the quic endpoint: {0}")]
    Endpoint(std::io::Error),
    #[error("cannot connect to the region: {0}")]
    Connect(String),
    #[error("connect timed out")]
    Timeout,
    #[error("link stream failed: {0}")]
    Stream(String),
    #[error("bad frame from region: {0}")]
    Frame(#[from] starlane_protocol::link::FrameError),
}

/// Read a DER or PEM certificate.
pub fn load_pinned_cert(path: &Path) -> Result<CertificateDer<'static>, LinkError> {
    let bytes = std::fs::read(path).map_err(|source| LinkError::ReadCert {
        path: path.to_path_buf(),
        source,
    })?;
    if bytes.starts_with(b"-----") || bytes.windows(11).any(|w| w == b"-----BEGIN ") {
        CertificateDer::from_pem_slice(&bytes).map_err(|_| LinkError::BadCert {
            path: path.to_path_buf(),
        })
    } else if bytes.first() == Some(&0x30) {
        Ok(CertificateDer::from(bytes))
    } else {
        Err(LinkError::BadCert {
            path: path.to_path_buf(),
        })
    }
}

/// Trusts exactly one end-entity certificate.
#[derive(Debug)]
struct PinnedCert {
    pinned: CertificateDer<'static>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl rustls::client::danger::ServerCertVerifier for PinnedCert {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.pinned.as_ref() {
            Ok(rustls::client::danger::ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A quinn client config trusting only `pinned`, with the link ALPN.
pub fn client_config(pinned: CertificateDer<'static>) -> Result<quinn::ClientConfig, LinkError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut tls = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|e| LinkError::Tls(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(PinnedCert { pinned, provider }))
        .with_no_client_auth();
    tls.alpn_protocols = vec![LINK_ALPN.to_vec()];
    let quic = quinn::crypto::rustls::QuicClientConfig::try_from(tls)
        .map_err(|e| LinkError::Tls(e.to_string()))?;
    let mut cfg = quinn::ClientConfig::new(Arc::new(quic));
    let mut transport = quinn::TransportConfig::default();
    transport.keep_alive_interval(Some(Duration::from_secs(2)));
    transport.max_idle_timeout(Some(quinn::VarInt::from_u32(10_000).into()));
    cfg.transport_config(Arc::new(transport));
    Ok(cfg)
}

/// Keep a link up until `shutdown` turns true.
pub async fn run(
    cfg: RegionLinkConfig,
    hub: Arc<RegionHub>,
    metrics: EdgeMetrics,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut backoff = cfg.reconnect_min;
    while !*shutdown.borrow() {
        let attempt = async {
            let conn = connect(&cfg).await?;
            metrics.region_link_connects.inc();
            tracing::info!(addr = %cfg.addr, "region link up");
            backoff = cfg.reconnect_min;
            serve(conn, &cfg.edge_id, &hub, &metrics).await
        };
        tokio::select! {
            r = attempt => {
                if let Err(e) = r {
                    tracing::warn!(addr = %cfg.addr, error = %e, "region link down");
                }
            }
            _ = shutdown.changed() => break,
        }
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = shutdown.changed() => break,
        }
        backoff = (backoff * 2).min(cfg.reconnect_max);
    }
}

async fn connect(cfg: &RegionLinkConfig) -> Result<quinn::Connection, LinkError> {
    let pinned = load_pinned_cert(&cfg.cert_file)?;
    let bind: SocketAddr = if cfg.addr.is_ipv4() {
        SocketAddr::from(([0, 0, 0, 0], 0))
    } else {
        SocketAddr::from(([0u16; 8], 0))
    };
    let mut endpoint = quinn::Endpoint::client(bind).map_err(LinkError::Endpoint)?;
    endpoint.set_default_client_config(client_config(pinned)?);
    let connecting = endpoint
        .connect(cfg.addr, LINK_SERVER_NAME)
        .map_err(|e| LinkError::Connect(e.to_string()))?;
    match tokio::time::timeout(cfg.connect_timeout, connecting).await {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(e)) => Err(LinkError::Connect(e.to_string())),
        Err(_) => Err(LinkError::Timeout),
    }
}

/// Run one established connection until it fails; sessions are told when it does.
async fn serve(
    conn: quinn::Connection,
    edge_id: &str,
    hub: &RegionHub,
    metrics: &EdgeMetrics,
) -> Result<(), LinkError> {
    let (mut send, mut recv) = conn
        .open_bi()
        .await
        .map_err(|e| LinkError::Stream(e.to_string()))?;
    let hello = EdgeToRegion::Hello {
        version: LINK_VERSION,
        edge_id: edge_id.to_string(),
    };
    send.write_all(&encode_frame(&hello))
        .await
        .map_err(|e| LinkError::Stream(e.to_string()))?;
    let (tx, mut rx) = mpsc::unbounded_channel::<EdgeToRegion>();
    let generation = hub.attach(tx);
    metrics.region_link_up.set(1);
    let writer = async {
        while let Some(msg) = rx.recv().await {
            send.write_all(&encode_frame(&msg))
                .await
                .map_err(|e| LinkError::Stream(e.to_string()))?;
        }
        Ok::<(), LinkError>(())
    };
    let reader = async {
        loop {
            let msg: RegionToEdge = read_frame(&mut recv).await?;
            if !hub.dispatch(msg) {
                tracing::debug!("region frame for an unknown session dropped");
            }
        }
    };
    let result = tokio::select! {
        r = writer => r,
        r = reader => r,
    };
    metrics.region_link_up.set(0);
    hub.detach(generation);
    conn.close(quinn::VarInt::from_u32(0), b"edge link closed");
    result
}

async fn read_frame(recv: &mut quinn::RecvStream) -> Result<RegionToEdge, LinkError> {
    let mut len = [0u8; 4];
    recv.read_exact(&mut len)
        .await
        .map_err(|e| LinkError::Stream(e.to_string()))?;
    let len = check_frame_len(u32::from_le_bytes(len))?;
    let mut body = vec![0u8; len];
    recv.read_exact(&mut body)
        .await
        .map_err(|e| LinkError::Stream(e.to_string()))?;
    Ok(decode_frame(&body)?)
}
