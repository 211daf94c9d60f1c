//! The database worker: resolves joins (a player's empire) in arrival order and writes the
//! tick's saves, on the tokio runtime so the tick thread never waits on SQLite.

use super::msg::{DbRequest, DbWrite, RuntimeMsg};
use super::persist::Store;
use crate::metrics::RegionMetrics;
use crate::world::TickInput;
use starlane_protocol::RejectReason;
use tokio::sync::mpsc;

/// Resolve joins in arrival order and write saves, feeding results to the tick. Saves are
/// counted by result; a successful one (or one with nothing to write: every earlier save is
/// written by then) resets the snapshot age.
pub(super) async fn db_worker(
    store: Store,
    export: RegionMetrics,
    spawn_count: u32,
    mut requests: mpsc::Receiver<DbRequest>,
    mut writes: mpsc::Receiver<DbWrite>,
    tick_tx: mpsc::Sender<RuntimeMsg>,
) {
    let mut requests_open = true;
    loop {
        tokio::select! {
            biased;
            write = writes.recv() => match write {
                Some(DbWrite::Save(units)) => {
                    let saved = store.save_units(&units).await;
                    if !units.is_empty() {
                        export.db.save_done(saved.is_ok());
                    }
                    match saved {
                        Ok(()) => export.save_clock.saved(),
                        Err(e) => {
                            tracing::error!(error = %e, units = units.len(), "saving units failed")
                        }
                    }
                }
                Some(DbWrite::Flush(done)) => {
                    let _ = done.send(());
                }
                None => return,
            },
            req = requests.recv(), if requests_open => {
                let input = match req {
                    Some(DbRequest::Join { link, session, player }) => {
                        let empire = store.empire_for(&player, spawn_count).await.map_err(|e| {
                            tracing::error!(error = %e, user = player.user_id, "join failed");
                            RejectReason::RegionUnavailable
                        });
                        TickInput::Join { link, session, player, empire }
                    }
                    Some(DbRequest::Leave { link, session }) => TickInput::Leave { link, session },
                    None => {
                        requests_open = false;
                        continue;
                    }
                };
                // The tick is gone (shutting down): keep serving writes until they end.
                if tick_tx.send(RuntimeMsg::Input(input)).await.is_err() {
                    requests_open = false;
                }
            }
        }
    }
}
