//! Certificate rotation: the self-signed certificate is replaced before it expires; the
//! WebTransport server is restarted with it and the QUIC driver swaps it in place.

use super::accept;
use crate::certs::CertManager;
use crate::session::SessionContext;
use anyhow::Context;
use starlane_netcore::quic::{QuicIdentity, QuicServer};
use starlane_netcore::transport::{Liveness, QueueLimits};
use starlane_netcore::webtransport::{WtServer, WtServerConfig};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::{Duration, SystemTime};
use tokio::sync::watch;

/// Replaces the self-signed WebTransport certificate (also presented by the QUIC driver)
/// before it expires.
pub(super) struct Rotation {
    pub(super) certs: Arc<CertManager>,
    pub(super) wt: Arc<tokio::sync::Mutex<WtServer>>,
    pub(super) quic: Arc<QuicServer>,
    pub(super) addr: SocketAddr,
    pub(super) ctx: Arc<SessionContext>,
    pub(super) live: Arc<AtomicUsize>,
    /// The bounds of the new server's queues (`[transport_queues]`).
    pub(super) queues: QueueLimits,
    /// The new server's idle timeout and keep-alives (`[webtransport]`).
    pub(super) liveness: Liveness,
}

impl Rotation {
    pub(super) async fn run(self, mut shutdown: watch::Receiver<bool>) {
        while let Some(wait) = self.certs.time_to_rotation(SystemTime::now()) {
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = shutdown.wait_for(|v| *v) => return,
            }
            if let Err(e) = self.rotate().await {
                tracing::warn!(error = %e, "certificate rotation failed; retrying in a minute");
                tokio::time::sleep(Duration::from_secs(60)).await;
            }
        }
    }

    /// Make a new certificate and restart the WebTransport server on the same address with it.
    /// The driver cannot swap identities in place, so open WebTransport sessions are closed and
    /// their clients reconnect with the new hash.
    /// The QUIC driver swaps its certificate in place: open QUIC connections stay up.
    async fn rotate(&self) -> anyhow::Result<()> {
        let identity = self.certs.rotate()?;
        self.quic
            .set_identity(&QuicIdentity::from_webtransport(&identity)?)
            .context("quic certificate")?;
        let mut server = self.wt.lock().await;
        server.shutdown();
        let mut last_err = None;
        for _ in 0..50 {
            match WtServer::bind(WtServerConfig {
                bind: self.addr,
                identity: identity.clone_identity(),
                queues: self.queues,
                first_message_limit: Some(self.ctx.first_message_limit()),
                liveness: self.liveness,
            }) {
                Ok((next, links)) => {
                    *server = next;
                    tokio::spawn(accept(links, self.ctx.clone(), self.live.clone()));
                    tracing::info!(hash = %self.certs.hash_hex(), "webtransport certificate rotated");
                    return Ok(());
                }
                Err(e) => last_err = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(anyhow::anyhow!(
            "cannot rebind webtransport on {}: {:?}",
            self.addr,
            last_err
        ))
    }
}
