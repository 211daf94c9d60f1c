//! The database worker: resolves joins (a player's empire) in arrival order, those waiting
//! together in one batch, and writes the tick's world snapshots, on the tokio runtime so the
//! tick thread never waits on the database.

use super::cluster::HomeRecorder;
use super::msg::{DbRequest, DbWrite, RuntimeMsg};
use super::persist::{Store, StoreError};
use crate::metrics::RegionMetrics;
use crate::records::WorldSnapshot;
use crate::world::TickInput;
use starlane_protocol::RejectReason;
use starlane_protocol::link::PlayerIdentity;
use tokio::sync::{mpsc, oneshot};

/// Most join and leave requests resolved together: the joins among them cost one batch of
/// statements (a few hundred players stay well inside both backends' limits on bound
/// parameters).
const JOIN_BATCH: usize = 256;

/// What the worker needs besides its queues.
#[derive(Debug)]
pub(super) struct DbWorker {
    pub store: Store,
    pub export: RegionMetrics,
    pub region: String,
    pub spawn_count: u32,
    /// Records joined players' home regions in the cluster, when `[cluster]` is on.
    pub homes: Option<HomeRecorder>,
}

impl DbWorker {
    /// Resolve joins in arrival order and write snapshots, feeding results to the tick.
    /// Snapshots are counted by result; only a successful one resets the snapshot age. A
    /// failed one is logged and dropped: the next carries the whole world again.
    pub(super) async fn run(
        self,
        mut requests: mpsc::Receiver<DbRequest>,
        mut writes: mpsc::Receiver<DbWrite>,
        tick_tx: mpsc::Sender<RuntimeMsg>,
    ) {
        let mut requests_open = true;
        loop {
            // Not biased: while the database is slow or down, snapshots keep coming and must
            // not starve joins (each of which then fails after the acquire timeout).
            tokio::select! {
                write = writes.recv() => match write {
                    Some(DbWrite::Snapshot(world)) => {
                        let (world, flushes) = newest(world, &mut writes);
                        self.write(&world).await;
                        for done in flushes {
                            let _ = done.send(());
                        }
                    }
                    Some(DbWrite::Flush(done)) => {
                        let _ = done.send(());
                    }
                    None => return,
                },
                req = requests.recv(), if requests_open => {
                    let Some(first) = req else {
                        requests_open = false;
                        continue;
                    };
                    let batch = waiting(first, &mut requests);
                    // The tick is gone (shutting down): keep serving writes until they end.
                    for input in self.resolve(batch).await {
                        if tick_tx.send(RuntimeMsg::Input(input)).await.is_err() {
                            requests_open = false;
                            break;
                        }
                    }
                }
            }
        }
    }

    /// The tick inputs of `batch`, in order: its joins resolved together (one database
    /// batch for those not answered before), its leaves as they are.
    async fn resolve(&self, batch: Vec<DbRequest>) -> Vec<TickInput> {
        let players: Vec<PlayerIdentity> = batch
            .iter()
            .filter_map(|r| match r {
                DbRequest::Join { player, .. } => Some(player.clone()),
                DbRequest::Leave { .. } => None,
            })
            .collect();
        let mut empires = self
            .store
            .join_many(&players, &self.region, self.spawn_count)
            .await
            .into_iter();
        let mut inputs = Vec::with_capacity(batch.len());
        for request in batch {
            inputs.push(match request {
                DbRequest::Join {
                    link,
                    session,
                    player,
                } => {
                    let empire = empires
                        .next()
                        .unwrap_or_else(|| Err(StoreError::Batch("no answer".into())))
                        .map_err(|e| {
                            tracing::error!(error = %e, user = player.user_id, "join failed");
                            RejectReason::RegionUnavailable
                        });
                    if let (Ok(_), Some(homes)) = (&empire, &self.homes) {
                        homes.joined(player.user_id);
                    }
                    TickInput::Join {
                        link,
                        session,
                        player,
                        empire,
                    }
                }
                DbRequest::Leave { link, session } => TickInput::Leave { link, session },
            });
        }
        inputs
    }

    /// Write one snapshot, counting it by result; only success resets the snapshot age.
    async fn write(&self, world: &WorldSnapshot) {
        let written = self.store.write_snapshot(&self.region, world).await;
        self.export.db.snapshot_done(written.is_ok());
        match written {
            Ok(()) => self.export.save_clock.saved(),
            Err(e) => tracing::error!(
                error = %e, units = world.units.len(), tick = world.tick,
                "writing the world snapshot failed"
            ),
        }
    }
}

/// `first` and the requests already waiting behind it, up to [`JOIN_BATCH`], in order.
fn waiting(first: DbRequest, requests: &mut mpsc::Receiver<DbRequest>) -> Vec<DbRequest> {
    let mut batch = vec![first];
    while batch.len() < JOIN_BATCH {
        match requests.try_recv() {
            Ok(next) => batch.push(next),
            Err(_) => break,
        }
    }
    batch
}

/// A snapshot is the whole world: of `world` and the snapshots already waiting behind it,
/// only the newest needs writing. Returns it and the flushes taken meanwhile (answered once it
/// is written, which covers everything before them).
fn newest(
    mut world: WorldSnapshot,
    writes: &mut mpsc::Receiver<DbWrite>,
) -> (WorldSnapshot, Vec<oneshot::Sender<()>>) {
    let mut flushes = Vec::new();
    while let Ok(next) = writes.try_recv() {
        match next {
            DbWrite::Snapshot(newer) => world = newer,
            DbWrite::Flush(done) => flushes.push(done),
        }
    }
    (world, flushes)
}
