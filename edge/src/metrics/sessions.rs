//! The edge's open sessions with their live link stats, for the operator's
//! `GET /debug/sessions` (per-connection detail that has no place in Prometheus labels).

use serde::Serialize;
use starlane_netcore::transport::{LinkStats, TransportKind};
use starlane_protocol::link::SessionId;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

/// Who a session belongs to, once its token is verified.
#[derive(Debug, Clone, PartialEq, Eq)]
struct User {
    id: i64,
    name: String,
}

#[derive(Debug)]
struct Entry {
    transport: TransportKind,
    opened: Instant,
    user: Option<User>,
    stats: Arc<LinkStats>,
}

/// The open sessions, shared by every session driver and the HTTP endpoint. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct SessionTable {
    entries: Arc<Mutex<BTreeMap<SessionId, Entry>>>,
}

/// One session as `GET /debug/sessions` lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionInfo {
    /// The edge's session id.
    pub id: SessionId,
    /// `udp`, `webtransport` or `quic`.
    pub transport: &'static str,
    /// The token's `user_id`, or null before the token is verified.
    pub user_id: Option<i64>,
    /// The token's `username`, or null before the token is verified.
    pub username: Option<String>,
    /// Seconds since the link opened.
    pub age_secs: f64,
    /// Smoothed round-trip time in milliseconds, or null before the transport measured one.
    pub srtt_ms: Option<f64>,
    /// Round-trip time variation (RFC 6298 `RTTVAR`) in milliseconds, or null with `srtt_ms`.
    pub rtt_var_ms: Option<f64>,
    /// Share of the packets sent over the session's life that were declared lost (0 to 1).
    pub loss: f64,
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub packets_in: u64,
    pub packets_out: u64,
    pub packets_lost: u64,
    /// Bytes the session has queued for its transport that the driver has not taken yet
    /// (bounded by `[transport_queues] outgoing` messages).
    pub outgoing_bytes: u64,
    /// The most bytes that queue has held at once.
    pub outgoing_bytes_peak: u64,
}

impl SessionTable {
    /// Lists session `id` until the returned registration is dropped.
    pub fn open(
        &self,
        id: SessionId,
        transport: TransportKind,
        stats: Arc<LinkStats>,
    ) -> SessionRegistration {
        let entry = Entry {
            transport,
            opened: Instant::now(),
            user: None,
            stats,
        };
        self.lock().insert(id, entry);
        SessionRegistration {
            table: self.clone(),
            id,
        }
    }

    /// Number of listed sessions.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no session is listed.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// The live link stats of session `id`, while it is listed (they stay readable through
    /// the returned handle after it ends).
    pub fn stats(&self, id: SessionId) -> Option<Arc<LinkStats>> {
        self.lock().get(&id).map(|e| e.stats.clone())
    }

    /// Every listed session with its stats as they are now, by id.
    pub fn list(&self) -> Vec<SessionInfo> {
        let now = Instant::now();
        let ms = |d: std::time::Duration| d.as_micros() as f64 / 1000.0;
        self.lock()
            .iter()
            .map(|(&id, e)| {
                let s = e.stats.snapshot();
                SessionInfo {
                    id,
                    transport: e.transport.as_str(),
                    user_id: e.user.as_ref().map(|u| u.id),
                    username: e.user.as_ref().map(|u| u.name.clone()),
                    age_secs: now.saturating_duration_since(e.opened).as_secs_f64(),
                    srtt_ms: s.rtt.map(ms),
                    rtt_var_ms: s.rtt.map(|_| s.rtt_var.map_or(0.0, ms)),
                    loss: s.loss(),
                    bytes_in: s.bytes_in,
                    bytes_out: s.bytes_out,
                    packets_in: s.packets_in,
                    packets_out: s.packets_out,
                    packets_lost: s.packets_lost,
                    outgoing_bytes: s.outgoing_bytes,
                    outgoing_bytes_peak: s.outgoing_bytes_peak,
                }
            })
            .collect()
    }

    /// The map; a driver that panicked while holding the lock left it consistent (every
    /// update is a single insert, remove or field store), so poisoning is ignored.
    fn lock(&self) -> MutexGuard<'_, BTreeMap<SessionId, Entry>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A session's place in the [`SessionTable`]; dropping it removes the session.
#[derive(Debug)]
pub struct SessionRegistration {
    table: SessionTable,
    id: SessionId,
}

impl SessionRegistration {
    /// Records who the session belongs to (its verified token's `user_id` and `username`).
    pub fn set_user(&self, user_id: i64, username: &str) {
        if let Some(e) = self.table.lock().get_mut(&self.id) {
            e.user = Some(User {
                id: user_id,
                name: username.to_owned(),
            });
        }
    }
}

impl Drop for SessionRegistration {
    fn drop(&mut self) {
        self.table.lock().remove(&self.id);
    }
}
