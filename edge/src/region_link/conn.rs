//! One established link connection: the hub's state machine is told it is connected (it
//! queues `Hello`, then re-announces its held sessions after `Welcome`) and netcore's link
//! driver moves its bytes until the link on the connection ends.

use super::LinkError;
use crate::metrics::EdgeMetrics;
use crate::region_hub::{HubSink, RegionHub};
use starlane_netcore::link::drive;
use std::sync::Arc;
use std::time::Instant;

/// Run one established connection until the link on it ends; its sessions are held by the
/// hub's state machine for the next one.
pub(super) async fn serve(
    conn: quinn::Connection,
    hub: &Arc<RegionHub>,
    metrics: &EdgeMetrics,
) -> Result<(), LinkError> {
    let (send, recv) = conn
        .open_bi()
        .await
        .map_err(|e| LinkError::Stream(e.to_string()))?;
    hub.link().lock().handle_connected(Instant::now());
    hub.link().wake();
    metrics.region_link_up.set(1);
    let code = drive(&conn, send, recv, hub.link(), &mut HubSink(hub.clone())).await;
    metrics.region_link_up.set(0);
    Err(LinkError::Stream(format!("link closed with code {code}")))
}
