//! The encrypted UDP driver's own counters as Prometheus metrics: the datagrams it ignored, by
//! reason (the ordered checklist of `netcore/SPEC.md`), the entries its endpoint holds for
//! remote addresses and its established connections.
//!
//! The driver publishes its counters itself; [`UdpMetrics::spawn_refresh`] copies them here
//! once a second (counters grow by what each reason gained since the previous copy).

use prometheus::{Counter, IntCounter, IntCounterVec, IntGauge, Opts, Registry};
use starlane_netcore::proto::drops::{DropCounters, DropReason};
use starlane_netcore::proto::endpoint::PathCounters;
use starlane_netcore::udp::{SocketCalls, UdpServerStats};
use std::time::Duration;
use tokio::task::JoinHandle;

/// UDP driver metrics (`starlane_edge_udp_*`).
#[derive(Debug, Clone)]
pub struct UdpMetrics {
    /// Datagrams the driver ignored, by `reason` ([`DropReason::as_str`]); every reason is
    /// exported from the start, at zero.
    pub dropped: IntCounterVec,
    /// Entries the endpoint holds for remote addresses (connections, their timers and send
    /// slots, unsent handshake answers, recently closed handshakes).
    pub sources_tracked: IntGauge,
    /// Established encrypted UDP connections.
    pub connections: IntGauge,
    /// Handshake datagrams (hello, init) the driver handled.
    pub handshake_packets: IntCounter,
    /// Seconds the driver's thread spent handling them (cookies and Noise key agreement).
    pub handshake_seconds: Counter,
    /// Datagrams the driver read (`direction="in"`) and sent (`"out"`).
    pub datagrams: IntCounterVec,
    /// System calls that moved them: batched reads (`recvmmsg`) and GSO sends move many
    /// datagrams per call.
    pub socket_calls: IntCounterVec,
    /// Roaming, by `event`: `probe` (a client's new address probed), `challenge` (a path
    /// challenge sent), `amplification_limited` (a challenge held back: the address had not
    /// sent enough), `migration` (a connection moved), `failed` (a probe given up).
    pub paths: IntCounterVec,
}

impl UdpMetrics {
    /// Create the metrics and register them in `registry`.
    pub fn register(registry: &Registry) -> Self {
        let dropped = IntCounterVec::new(
            Opts::new(
                "starlane_edge_udp_dropped_total",
                "Datagrams the encrypted UDP driver ignored, by reason",
            ),
            &["reason"],
        )
        .expect("metric name and label are static and valid");
        for reason in DropReason::ALL {
            dropped.with_label_values(&[reason.as_str()]);
        }
        let gauge = |name: &str, help: &str| {
            let m = IntGauge::new(name, help).expect("metric name is static and valid");
            registry
                .register(Box::new(m.clone()))
                .expect("each metric is registered once in a fresh registry");
            m
        };
        registry
            .register(Box::new(dropped.clone()))
            .expect("each metric is registered once in a fresh registry");
        let handshake_packets = IntCounter::new(
            "starlane_edge_udp_handshake_packets_total",
            "Handshake datagrams (hello, init) the encrypted UDP driver handled",
        )
        .expect("metric name is static and valid");
        let handshake_seconds = Counter::new(
            "starlane_edge_udp_handshake_seconds_total",
            "Seconds the encrypted UDP driver spent handling handshake datagrams",
        )
        .expect("metric name is static and valid");
        for m in [
            Box::new(handshake_packets.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(handshake_seconds.clone()),
        ] {
            registry
                .register(m)
                .expect("each metric is registered once in a fresh registry");
        }
        let by_direction = |name: &str, help: &str| {
            let m = IntCounterVec::new(Opts::new(name, help), &["direction"])
                .expect("metric name and label are static and valid");
            registry
                .register(Box::new(m.clone()))
                .expect("each metric is registered once in a fresh registry");
            m
        };
        Self {
            handshake_packets,
            handshake_seconds,
            dropped,
            datagrams: by_direction(
                "starlane_edge_udp_datagrams_total",
                "Datagrams the encrypted UDP driver read (in) and sent (out)",
            ),
            socket_calls: by_direction(
                "starlane_edge_udp_socket_calls_total",
                "System calls the encrypted UDP driver made to read (in) and send (out) them",
            ),
            paths: {
                let m = IntCounterVec::new(
                    Opts::new(
                        "starlane_edge_udp_roaming_total",
                        "Roaming clients: new addresses probed, challenges, connections moved",
                    ),
                    &["event"],
                )
                .expect("metric name and label are static and valid");
                registry
                    .register(Box::new(m.clone()))
                    .expect("each metric is registered once in a fresh registry");
                m
            },
            sources_tracked: gauge(
                "starlane_edge_udp_sources_tracked",
                "Entries the encrypted UDP endpoint holds for remote addresses",
            ),
            connections: gauge(
                "starlane_edge_udp_connections",
                "Established encrypted UDP connections",
            ),
        }
    }

    /// Bring the metrics up to the driver's figures. Drop counters only grow: a count below
    /// the exported one (never the case for one driver) is not subtracted.
    pub fn update(&self, drops: &DropCounters, sources_tracked: usize, connections: usize) {
        for reason in DropReason::ALL {
            let counter = self.dropped.with_label_values(&[reason.as_str()]);
            let gained = drops.get(*reason).saturating_sub(counter.get());
            if gained > 0 {
                counter.inc_by(gained);
            }
        }
        self.sources_tracked
            .set(i64::try_from(sources_tracked).unwrap_or(i64::MAX));
        self.connections
            .set(i64::try_from(connections).unwrap_or(i64::MAX));
    }

    /// Bring the handshake counters up to the driver's totals (they only grow).
    pub fn update_handshakes(&self, packets: u64, time: Duration) {
        let gained = packets.saturating_sub(self.handshake_packets.get());
        if gained > 0 {
            self.handshake_packets.inc_by(gained);
        }
        let secs = time.as_secs_f64() - self.handshake_seconds.get();
        if secs > 0.0 {
            self.handshake_seconds.inc_by(secs);
        }
    }

    /// Bring the datagram and system call counters up to the driver's totals.
    pub fn update_socket_calls(&self, calls: &SocketCalls) {
        let up = |m: &IntCounterVec, direction: &str, total: u64| {
            let c = m.with_label_values(&[direction]);
            let gained = total.saturating_sub(c.get());
            if gained > 0 {
                c.inc_by(gained);
            }
        };
        up(&self.datagrams, "in", calls.datagrams_in);
        up(&self.datagrams, "out", calls.datagrams_out);
        up(&self.socket_calls, "in", calls.receive_calls);
        up(&self.socket_calls, "out", calls.send_calls);
    }

    /// Bring the roaming counters up to the driver's totals.
    pub fn update_paths(&self, p: &PathCounters) {
        for (event, total) in [
            ("probe", p.probes),
            ("challenge", p.challenges),
            ("amplification_limited", p.amplification_limited),
            ("migration", p.migrations),
            ("failed", p.failed),
        ] {
            let c = self.paths.with_label_values(&[event]);
            let gained = total.saturating_sub(c.get());
            if gained > 0 {
                c.inc_by(gained);
            }
        }
    }

    /// Copy the driver's figures every `every` until the task is aborted.
    pub fn spawn_refresh(&self, stats: UdpServerStats, every: Duration) -> JoinHandle<()> {
        let metrics = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                metrics.update(&stats.drops(), stats.sources_tracked(), stats.connections());
                let (packets, time) = stats.handshake_time();
                metrics.update_handshakes(packets, time);
                metrics.update_socket_calls(&stats.socket_calls());
                metrics.update_paths(&stats.paths());
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_grow_by_what_each_reason_gained() {
        let registry = Registry::new();
        let m = UdpMetrics::register(&registry);
        let mut drops = DropCounters::default();
        drops.record(DropReason::UnknownType);
        drops.record(DropReason::UnknownType);
        m.update(&drops, 3, 1);
        drops.record(DropReason::Oversized);
        m.update(&drops, 2, 0);
        let get = |r: DropReason| m.dropped.with_label_values(&[r.as_str()]).get();
        assert_eq!(get(DropReason::UnknownType), 2);
        assert_eq!(get(DropReason::Oversized), 1);
        assert_eq!(get(DropReason::Decrypt), 0);
        m.update_handshakes(4, Duration::from_millis(3));
        m.update_handshakes(6, Duration::from_millis(5));
        assert_eq!(m.handshake_packets.get(), 6);
        assert!((m.handshake_seconds.get() - 0.005).abs() < 1e-9);
        assert_eq!(m.sources_tracked.get(), 2);
        assert_eq!(m.connections.get(), 0);
        let mut calls = SocketCalls {
            datagrams_in: 64,
            receive_calls: 3,
            datagrams_out: 10,
            send_calls: 2,
            largest_send: 9,
        };
        m.update_socket_calls(&calls);
        m.update_paths(&PathCounters {
            probes: 2,
            migrations: 1,
            ..PathCounters::default()
        });
        assert_eq!(m.paths.with_label_values(&["migration"]).get(), 1);
        assert_eq!(m.paths.with_label_values(&["probe"]).get(), 2);
        calls.datagrams_in = 65;
        m.update_socket_calls(&calls);
        assert_eq!(m.datagrams.with_label_values(&["in"]).get(), 65);
        assert_eq!(m.socket_calls.with_label_values(&["out"]).get(), 2);
        let families = registry.gather();
        let dropped = families
            .iter()
            .find(|f| f.name() == "starlane_edge_udp_dropped_total");
        assert_eq!(
            dropped.map(|f| f.get_metric().len()),
            Some(DropReason::ALL.len()),
            "every reason is exported"
        );
    }
}
