//! One established link connection: `Hello`, attach to the hub, then write queued frames
//! (re-announced joins first) and dispatch the region's frames until either side fails.

use super::{LinkError, RegionLinkConfig};
use crate::metrics::EdgeMetrics;
use crate::region_hub::RegionHub;
use starlane_protocol::link::{
    EdgeToRegion, LINK_VERSION, RegionToEdge, check_frame_len, decode_frame, encode_frame,
};
use tokio::sync::mpsc;

/// Run one established connection until it fails; its sessions are held by the hub.
pub(super) async fn serve(
    conn: quinn::Connection,
    cfg: &RegionLinkConfig,
    hub: &RegionHub,
    metrics: &EdgeMetrics,
) -> Result<(), LinkError> {
    let (mut send, mut recv) = conn
        .open_bi()
        .await
        .map_err(|e| LinkError::Stream(e.to_string()))?;
    let hello = EdgeToRegion::Hello {
        version: LINK_VERSION,
        edge_id: cfg.edge_id.clone(),
    };
    write(&mut send, &hello).await?;
    let (tx, mut rx) = mpsc::channel::<EdgeToRegion>(cfg.queue_capacity);
    let generation = hub.attach(tx);
    metrics.region_link_up.set(1);
    let writer = write_loop(&mut send, &mut rx, hub, generation);
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

async fn write(send: &mut quinn::SendStream, msg: &EdgeToRegion) -> Result<(), LinkError> {
    send.write_all(&encode_frame(msg))
        .await
        .map_err(|e| LinkError::Stream(e.to_string()))
}

/// The re-announced joins, then queued frames in order; deferred leaves once the queue is
/// empty (so a leave never overtakes its session's join).
async fn write_loop(
    send: &mut quinn::SendStream,
    rx: &mut mpsc::Receiver<EdgeToRegion>,
    hub: &RegionHub,
    generation: u64,
) -> Result<(), LinkError> {
    let rejoins = hub.take_rejoins(generation);
    if !rejoins.is_empty() {
        tracing::info!(sessions = rejoins.len(), "re-announcing held sessions");
    }
    for msg in &rejoins {
        write(send, msg).await?;
    }
    loop {
        tokio::select! {
            biased;
            msg = rx.recv() => match msg {
                Some(msg) => write(send, &msg).await?,
                None => return Ok(()),
            },
            () = hub.leave_deferred() => {}
        }
        if rx.is_empty() {
            for msg in hub.take_deferred_leaves(generation) {
                write(send, &msg).await?;
            }
        }
    }
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
