//! Starting a region in two steps: [`Region::prepare`] binds the operator HTTP listener (so
//! probes answer, `/readyz` with 503, while the database opens and the world loads), then
//! [`PreparedRegion::start`] opens the database, loads the world, starts the tick thread and
//! the link server.

use super::cluster::RegionCluster;
use super::db::DbWorker;
use super::http::{HttpServer, Observed};
use super::link::tls;
use super::link::trust::edge_verifier;
use super::link::{self, LinkCtx};
use super::persist::{Store, StoreOptions};
use super::tick::TickLoop;
use super::{Region, RegionError, RegionHandle, link_config};
use crate::config::{LinkConfig, RegionConfig};
use crate::map::GameMap;
use crate::world::RegionSim;
use crate::world::commands::restored_text;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// A region whose operator listener is up and which has not started yet. Dropping it stops
/// the listener.
#[derive(Debug)]
pub struct PreparedRegion {
    config: RegionConfig,
    http: HttpServer,
    observed: Arc<Observed>,
}

impl Region {
    /// Bind the operator HTTP listener (`[http] bind`); `/readyz` answers 503 until
    /// [`PreparedRegion::start`] has opened the database and the link listener.
    pub async fn prepare(config: RegionConfig) -> Result<PreparedRegion, RegionError> {
        let observed = Arc::new(Observed::default());
        let http = HttpServer::start(config.http.bind, observed.clone())
            .await
            .map_err(|source| RegionError::HttpBind {
                addr: config.http.bind,
                source,
            })?;
        Ok(PreparedRegion {
            config,
            http,
            observed,
        })
    }

    /// Start a region: operator listener, data directory, certificate, database, world, tick
    /// thread, link server.
    pub async fn start(config: RegionConfig) -> Result<RegionHandle, RegionError> {
        Self::prepare(config).await?.start().await
    }
}

impl PreparedRegion {
    /// Address of the operator HTTP listener (with the real port when bound to port 0).
    pub fn http_addr(&self) -> SocketAddr {
        self.http.addr()
    }

    /// Open the database, load the world, start the tick thread and the link server.
    pub async fn start(self) -> Result<RegionHandle, RegionError> {
        let Self {
            config,
            http,
            observed,
        } = self;
        std::fs::create_dir_all(&config.data_dir).map_err(|source| RegionError::DataDir {
            path: config.data_dir.clone(),
            source,
        })?;
        let (cert_path, key_path) = config.effective_cert_paths();
        let identity = if config.link.production {
            tls::load_identity(&cert_path, &key_path, "link_cert")?
        } else {
            tls::load_or_generate(&cert_path, &key_path)?
        };
        let refusals = observed.refusals.clone();
        let verifier = edge_verifier(&config.link, &config.data_dir, refusals.clone())?;
        let dev_edge = (config.link.uses_dev_fallback()
            && config.link.edge_cert_file.as_os_str().is_empty())
        .then(|| LinkConfig::dev_edge_paths(&config.data_dir));
        let export = observed.export.clone();
        let options = StoreOptions {
            pool_size: config.store.pool_size,
            acquire_timeout: Duration::from_secs(config.store.acquire_timeout_secs.into()),
            home_policy: config.store.home_policy()?,
        };
        let store =
            Store::open_with(&config.effective_database_url(), options, export.db.clone()).await?;
        observed.health.set_store_open(true);
        observed.set_store(store.clone());
        let restored = store.load_snapshot(&config.region_id).await?;
        let map = GameMap::generate_rings(
            config.chunk_radius,
            config.map_rings,
            config.map_seed,
            config.asteroid_percent,
        );
        let spawn_count = u32::try_from(map.spawns().len()).unwrap_or(1);
        let mut sim = RegionSim::new(config.clone(), map);
        let units = restored.as_ref().map_or(&[][..], |(_, w)| &w.units[..]);
        sim.load_units(units);
        if let Some((_, w)) = &restored {
            sim.load_economy(&w.economy);
            sim.load_vision(&w.vision);
            sim.load_social(&w.social);
        }
        let npcs = sim.spawn_load(&config.load);
        let restored_from_snapshot = restored.as_ref().map(|(info, _)| *info);
        if let Some(info) = restored_from_snapshot
            && config.store.restore_notice_secs > 0
        {
            let interval = config.store.snapshot_interval_secs;
            let text = restored_text(info.tick, info.taken_at, interval);
            let window = config
                .store
                .restore_notice_secs
                .saturating_mul(config.tick_hz);
            sim.announce_restore(text, window);
        }
        tracing::info!(
            units = units.len(),
            restored_tick = restored_from_snapshot.map(|i| i.tick),
            restored_taken_at = restored_from_snapshot.map(|i| i.taken_at),
            npcs,
            pattern = ?config.load.pattern,
            cells = sim.map().cell_count(),
            "region world loaded"
        );
        // The state just loaded is the last snapshot.
        export.save_clock.saved();

        let queues = &config.queues;
        let (tick_tx, tick_rx) = mpsc::channel(queues.tick_inputs);
        let (db_tx, db_rx) = mpsc::channel(queues.db_requests);
        let (write_tx, write_rx) = mpsc::channel(queues.db_writes);
        let (stop_tx, stop_rx) = std::sync::mpsc::channel();
        let stats = observed.stats.clone();
        let metrics = observed.metrics.clone();

        let mut tick = TickLoop::new(
            sim,
            &config,
            tick_rx,
            write_tx.clone(),
            stats.clone(),
            metrics.clone(),
            export,
        );
        // With a cluster, chat and player notes go through its bus (SPEC.md §21.1, §22);
        // without, the tick delivers its own.
        let mut chat_posts = None;
        let social = crate::world::social::SocialSettings::from_config(&config);
        let reset = match store.reset_presence(&config.region_id).await {
            Ok(notes) => notes,
            Err(e) => {
                tracing::warn!(error = %e, "could not mark the last run's players offline");
                Vec::new()
            }
        };
        if config.cluster.enabled() {
            let (tx, rx) = tokio::sync::mpsc::channel(super::chat_relay::CHAT_QUEUE);
            for note in reset {
                // The queue is empty and larger than any start's notes would need to be;
                // one that does not fit is a friend who reads a stale presence.
                let _ = tx.try_send(starlane_cluster::ClusterEvent::Social(note));
            }
            tick = tick.with_chat_relay(tx);
            chat_posts = Some(rx);
        }
        let (ops_tx, ops_rx) = tokio::sync::mpsc::channel(queues.db_requests);
        tick = tick.with_player_ops(ops_tx);
        // Marked running before the thread exists, so the region is ready when start returns;
        // the thread drops the guard when it ends, also by a panic.
        let running = observed.health.tick_guard();
        let tick_thread = std::thread::Builder::new()
            .name(super::TICK_THREAD.into())
            .spawn(move || {
                let _running = running;
                tick.run(stop_rx)
            })
            .map_err(|e| RegionError::Tick(e.to_string()))?;

        let server = tls::server_config(&identity, Arc::new(verifier))?;
        let endpoint = quinn::Endpoint::server(server, config.link_bind).map_err(|source| {
            RegionError::Bind {
                addr: config.link_bind,
                source,
            }
        })?;
        let link_addr = endpoint.local_addr().map_err(|source| RegionError::Bind {
            addr: config.link_bind,
            source,
        })?;
        let mut cluster = RegionCluster::start(
            &config.cluster,
            &config.region_id,
            link_addr,
            metrics.clone(),
            observed.export.registry(),
        )
        .await?;
        if let (Some(cluster), Some(posts)) = (cluster.as_mut(), chat_posts) {
            cluster.relay_chat(posts, tick_tx.clone(), observed.export.registry());
        }
        let worker = DbWorker {
            store: store.clone(),
            export: observed.export.clone(),
            region: config.region_id.clone(),
            spawn_count,
            homes: cluster.as_ref().map(|c| c.homes(store.clone())),
        };
        tokio::spawn(worker.run(db_rx, write_rx, tick_tx.clone()));
        tokio::spawn(super::player_ops::serve(
            store.clone(),
            config.region_id.clone(),
            social.limits,
            ops_rx,
            tick_tx.clone(),
        ));
        let ctx = LinkCtx {
            tick_tx,
            db_tx,
            stats: stats.clone(),
            refusals: refusals.clone(),
            config: link_config(&config),
        };
        let health = observed.health.clone();
        health.set_link_accepting(true);
        let accepting = endpoint.clone();
        tokio::spawn(async move {
            link::accept_loop(accepting, ctx).await;
            health.set_link_accepting(false);
        });
        tracing::info!(%link_addr, "region link listening");
        Ok(RegionHandle {
            link_addr,
            cert_der: identity.cert_der().to_vec(),
            endpoint,
            stats,
            refusals,
            dev_edge,
            metrics,
            stop_tx,
            tick_thread: Some(tick_thread),
            write_tx,
            store,
            region_id: config.region_id.clone(),
            restored_from_snapshot,
            http_addr: http.addr(),
            http: Some(http),
            observed,
            cluster,
        })
    }
}
