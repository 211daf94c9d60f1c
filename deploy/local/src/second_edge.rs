//! A second edge in the all-in-one server, for trying (and testing) a drain: the hidden
//! `starlane-local run --dev-second-edge <ADMIN_TOKEN>` starts edge `b` next to the usual
//! edge `a`, on free loopback ports, sharing `a`'s development issuer and a resume key made
//! for the run. `/api/connect-info` then hands out `b`; `b` has an admin listener on loopback
//! (`POST /admin/drain` with `Authorization: Bearer <ADMIN_TOKEN>`), and the clients it moves
//! are sent to the web server's `/api/connect`, which asks `a`'s connect endpoint (`a` does
//! not drain, so it answers itself). Edge `b` runs until the server stops.

use anyhow::Context;
use starlane_edge::{DevIssuer, Edge, EdgeConfig, EdgeHandle};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// How long edge `b` waits for its link to the region.
const LINK_UP_TIMEOUT: Duration = Duration::from_secs(10);
/// Edge `b`'s drain window: its clients have this long to move.
const DRAIN_WINDOW_SECS: u64 = 30;

/// A resume key for the run (64 hex digits), shared by both edges so that a ticket of `b`
/// resumes on `a`.
pub fn run_resume_key() -> String {
    rand::random::<[u8; 32]>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Edge `b`'s configuration, made from edge `a`'s (`base`, which already carries the region
/// link, its trust and the resume key): its own data directory, free loopback ports, the
/// admin listener behind `admin_token`, and `connect_url` as the drain's connect endpoint.
pub fn config(
    base: &EdgeConfig,
    data_dir: &Path,
    admin_token: &str,
    connect_url: String,
) -> EdgeConfig {
    let loopback = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);
    let mut cfg = base.clone();
    cfg.edge_id = "edge-b".into();
    cfg.data_dir = data_dir.join("edge-b");
    cfg.udp.bind = loopback;
    cfg.webtransport.bind = loopback;
    cfg.quic.bind = loopback;
    cfg.websocket.bind = loopback;
    cfg.http.bind = loopback;
    cfg.admin.bind = loopback.to_string();
    cfg.admin.token = admin_token.to_string();
    cfg.drain.connect_url = connect_url;
    cfg.drain.window_secs = DRAIN_WINDOW_SECS;
    cfg
}

/// Start edge `b` and wait until the region has welcomed its link.
pub async fn start(cfg: EdgeConfig, issuer: Arc<DevIssuer>) -> anyhow::Result<Arc<EdgeHandle>> {
    if cfg.admin.token.trim().is_empty() {
        anyhow::bail!("--dev-second-edge needs a non-empty admin token (the drain call's bearer)");
    }
    let edge = Edge::start(cfg, Some(issuer))
        .await
        .context("second edge relay (edge-b)")?;
    let mut up = edge.subscribe_region_link();
    if tokio::time::timeout(LINK_UP_TIMEOUT, up.wait_for(|up| *up))
        .await
        .is_err()
    {
        anyhow::bail!("edge-b's link to the region did not come up within {LINK_UP_TIMEOUT:?}");
    }
    Ok(Arc::new(edge))
}

/// Ask the connect endpoint at `url` with `authorization` (the client's header, passed on
/// as is) and `lost` (`?lost=`, the edge the client lost): the status and the JSON body of
/// its answer. Errors name the endpoint.
pub async fn ask_connect_endpoint(
    url: String,
    authorization: String,
    lost: Option<String>,
) -> (u16, String) {
    let asked = url.clone();
    let answer = tokio::task::spawn_blocking(move || -> Result<(u16, String), ureq::Error> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .into();
        let mut request = agent.post(&url).header("Authorization", &authorization);
        if let Some(lost) = &lost {
            request = request.query("lost", lost);
        }
        let mut res = request.send_empty()?;
        let status = res.status().as_u16();
        Ok((status, res.body_mut().read_to_string()?))
    })
    .await;
    match answer {
        Ok(Ok(answer)) => answer,
        Ok(Err(e)) => (502, error_body(&format!("connect endpoint {asked}: {e}"))),
        Err(e) => (500, error_body(&format!("connect endpoint task: {e}"))),
    }
}

fn error_body(message: &str) -> String {
    serde_json::json!({ "error": message }).to_string()
}
