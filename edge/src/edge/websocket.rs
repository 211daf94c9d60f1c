//! The edge's WebSocket listener (`[websocket]`, netcore/WEBSOCKET.md): bound beside the other
//! client drivers, its links go to the same sessions; its counters are exported once a second.

use crate::config::{EdgeConfig, WsTls};
use anyhow::Context;
use prometheus::{IntCounter, IntCounterVec, Opts, Registry};
use starlane_netcore::tls::{Identity, server_config};
use starlane_netcore::transport::{Link, QueueLimits};
use starlane_netcore::websocket::{WsCounters, WsLimits, WsServer, WsServerConfig};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Bind the WebSocket listener if `[websocket]` enables it.
pub(super) fn bind(
    config: &EdgeConfig,
    queues: QueueLimits,
    first_message_limit: Option<usize>,
) -> anyhow::Result<Option<(WsServer, mpsc::Receiver<Link>)>> {
    let ws = &config.websocket;
    if !ws.enabled {
        return Ok(None);
    }
    let tls = match ws.tls {
        WsTls::None | WsTls::Proxy => None,
        WsTls::Certificate => Some(Arc::new(tls_config(config)?)),
    };
    let bound = WsServer::bind(WsServerConfig {
        bind: ws.bind,
        queues,
        first_message_limit,
        liveness: ws.liveness(),
        limits: WsLimits::default(),
        tls,
    })
    .with_context(|| format!("cannot bind websocket.bind {}", ws.bind))?;
    Ok(Some(bound))
}

/// `wss://` with `[websocket]`'s certificate files (validation made sure they are set).
fn tls_config(config: &EdgeConfig) -> anyhow::Result<rustls::ServerConfig> {
    let ws = &config.websocket;
    let (Some(cert), Some(key)) = (&ws.cert_file, &ws.key_file) else {
        anyhow::bail!("websocket.tls = \"certificate\" needs websocket.cert_file and key_file");
    };
    let identity = Identity::load(cert, key, "websocket.cert_file")?;
    Ok(server_config(&identity, None, b"http/1.1")?)
}

/// `starlane_edge_websocket_*`: what the WebSocket listener refused and superseded.
#[derive(Debug, Clone)]
struct WsMetrics {
    refused: IntCounterVec,
    setup: IntCounterVec,
    superseded: IntCounter,
}

impl WsMetrics {
    fn register(registry: &Registry) -> prometheus::Result<Self> {
        let refused = IntCounterVec::new(
            Opts::new(
                "starlane_edge_websocket_refused_total",
                "WebSocket messages refused by reason (text, empty, unknown_channel, \
                 too_large); each closed its link with 4250",
            ),
            &["reason"],
        )?;
        let setup = IntCounterVec::new(
            Opts::new(
                "starlane_edge_websocket_setup_failures_total",
                "WebSocket connections that became no link, by reason (handshake, \
                 subprotocol)",
            ),
            &["reason"],
        )?;
        let superseded = IntCounter::new(
            "starlane_edge_websocket_superseded_total",
            "Unwritten WebSocket datagrams dropped because a newer one came",
        )?;
        registry.register(Box::new(refused.clone()))?;
        registry.register(Box::new(setup.clone()))?;
        registry.register(Box::new(superseded.clone()))?;
        Ok(Self {
            refused,
            setup,
            superseded,
        })
    }
}

/// Bring `counter` up to `now` (counters only grow).
fn catch_up(counter: &IntCounter, now: u64) {
    let seen = counter.get();
    if now > seen {
        counter.inc_by(now - seen);
    }
}

/// Copy the listener's counters into the registry once a second.
pub(super) fn spawn_meter(
    registry: &Registry,
    counters: Arc<WsCounters>,
) -> anyhow::Result<JoinHandle<()>> {
    let metrics = WsMetrics::register(registry)?;
    Ok(tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        loop {
            tick.tick().await;
            for (reason, n) in counters.refusals() {
                catch_up(&metrics.refused.with_label_values(&[reason]), n);
            }
            let setup = &metrics.setup;
            let handshake = get(&counters.setup_failures);
            catch_up(&setup.with_label_values(&["handshake"]), handshake);
            let subprotocol = get(&counters.wrong_subprotocol);
            catch_up(&setup.with_label_values(&["subprotocol"]), subprotocol);
            catch_up(&metrics.superseded, get(&counters.superseded));
        }
    }))
}
