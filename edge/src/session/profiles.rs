//! [`ProfileStore`]: the edge's current bandwidth profile set, swapped on reload.

use crate::bandwidth::{
    ClientClass, NamedProfile, ProfileError, ProfileSelection, ProfileSet, ResolvedSelection,
};
use crate::metrics::EdgeMetrics;
use starlane_netcore::transport::TransportKind;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// The profile set in force, its source and the per-class selection. New sessions resolve
/// their profile here; a reload swaps the set and bumps [`ProfileStore::generation`], and
/// running sessions then take the new version of the profile they use (by name) without
/// losing their state.
#[derive(Debug)]
pub struct ProfileStore {
    dir: Option<PathBuf>,
    selection: ProfileSelection,
    current: RwLock<Current>,
    /// Bumped by every successful reload, so sessions notice cheaply.
    generation: AtomicU64,
    metrics: EdgeMetrics,
}

/// A set and the selection resolved against it, swapped together.
#[derive(Debug, Clone)]
struct Current {
    set: Arc<ProfileSet>,
    resolved: ResolvedSelection,
}

/// The client class a transport serves: WebTransport and its fallback, WebSocket, are the
/// browser; UDP and QUIC are native.
pub fn class_of(transport: TransportKind) -> ClientClass {
    match transport {
        TransportKind::WebTransport | TransportKind::WebSocket => ClientClass::Browser,
        TransportKind::Udp | TransportKind::Quic => ClientClass::Native,
    }
}

impl ProfileStore {
    /// A store over `set`; `dir` is where reloads read from (`None`: built-in profiles, which
    /// never change). `selection` must resolve against `set`.
    pub fn new(
        set: ProfileSet,
        dir: Option<PathBuf>,
        selection: ProfileSelection,
        metrics: EdgeMetrics,
    ) -> Result<Self, ProfileError> {
        let resolved = selection.resolve(&set)?;
        publish_rates(&metrics, &set);
        Ok(Self {
            dir,
            selection,
            current: RwLock::new(Current {
                set: Arc::new(set),
                resolved,
            }),
            generation: AtomicU64::new(0),
            metrics,
        })
    }

    /// Counts successful reloads: a running session re-reads its profile when this changes.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The profile named `name` in the set in force, if it is (still) there.
    pub fn get(&self, name: &str) -> Option<NamedProfile> {
        self.current().get(name).map(|profile| NamedProfile {
            name: name.to_string(),
            profile: Arc::clone(profile),
        })
    }

    /// The set in force.
    pub fn current(&self) -> Arc<ProfileSet> {
        Arc::clone(&self.snapshot().set)
    }

    fn snapshot(&self) -> Current {
        match self.current.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The profile configured for sessions whose token has `user_type`, if any.
    pub fn pick_for_user_type(&self, user_type: &str) -> Option<NamedProfile> {
        self.snapshot().resolved.for_user_type(user_type).cloned()
    }

    /// The profile a new session of `class` gets.
    pub fn pick(&self, class: ClientClass) -> NamedProfile {
        self.snapshot().resolved.for_class(class).clone()
    }

    /// Re-read the profile directory and swap the set in. Returns the names of profiles that
    /// are new or changed. On error the current set stays in force. Counted in
    /// `starlane_edge_profile_reloads_total{result}`.
    pub fn reload(&self) -> Result<Vec<String>, ProfileError> {
        let result = self.try_reload();
        let label = if result.is_ok() { "ok" } else { "error" };
        self.metrics
            .profile_reloads
            .with_label_values(&[label])
            .inc();
        result
    }

    fn try_reload(&self) -> Result<Vec<String>, ProfileError> {
        let Some(dir) = &self.dir else {
            return Ok(Vec::new());
        };
        let old = self.current();
        let new = old.reload(dir)?;
        let resolved = self.selection.resolve(&new)?;
        let changed = old.changed_in(&new);
        publish_rates(&self.metrics, &new);
        let new = Current {
            set: Arc::new(new),
            resolved,
        };
        match self.current.write() {
            Ok(mut g) => *g = new,
            Err(poisoned) => *poisoned.into_inner() = new,
        }
        self.generation.fetch_add(1, Ordering::AcqRel);
        Ok(changed)
    }
}

fn publish_rates(metrics: &EdgeMetrics, set: &ProfileSet) {
    for name in set.names() {
        metrics.sync.events_overflow.with_label_values(&[name]);
        if let Some(p) = set.get(name) {
            metrics
                .profile_bytes_per_sec
                .with_label_values(&[name])
                .set(i64::from(p.bytes_per_sec));
        }
    }
}
