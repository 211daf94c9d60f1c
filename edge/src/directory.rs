//! Where the connect endpoint finds an edge for a player: the [`EdgeDirectory`] trait and
//! its in-process implementation, [`LocalDirectory`] (this edge while it is not draining,
//! then the edges listed in `[directory]`). A registry shared by the region's edges (Redis)
//! implements the same trait.

use crate::config::EdgeAddress;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

/// Picks the edge a player of `region` should connect to.
pub trait EdgeDirectory: Send + Sync + std::fmt::Debug {
    /// A healthy, non-draining edge of `region` (the least loaded one a registry knows), with
    /// what the client must pin; `None` if there is none.
    fn pick(&self, region: &str) -> Option<EdgeAddress>;
}

/// The region's edges without a registry: this edge first while it is not draining, then
/// the configured others in turn.
#[derive(Debug)]
pub struct LocalDirectory {
    region: String,
    this: RwLock<Option<EdgeAddress>>,
    draining: Arc<AtomicBool>,
    others: Vec<EdgeAddress>,
    next: AtomicUsize,
}

impl LocalDirectory {
    /// A directory for `region` with `others`; `draining` is this edge's drain flag.
    pub fn new(region: &str, others: Vec<EdgeAddress>, draining: Arc<AtomicBool>) -> Self {
        Self {
            region: region.to_string(),
            this: RwLock::new(None),
            draining,
            others,
            next: AtomicUsize::new(0),
        }
    }

    /// Set (or replace, after a certificate rotation) this edge's own address.
    pub fn set_this(&self, address: EdgeAddress) {
        *self.this.write().unwrap_or_else(|e| e.into_inner()) = Some(address);
    }
}

impl EdgeDirectory for LocalDirectory {
    fn pick(&self, region: &str) -> Option<EdgeAddress> {
        if region != self.region {
            return None;
        }
        if !self.draining.load(Ordering::Relaxed) {
            let this = self.this.read().unwrap_or_else(|e| e.into_inner());
            if let Some(a) = this.as_ref() {
                return Some(a.clone());
            }
        }
        if self.others.is_empty() {
            return None;
        }
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.others.len();
        self.others.get(i).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(n: u8) -> EdgeAddress {
        EdgeAddress {
            webtransport_url: format!("https://e{n}:4433/"),
            udp_addr: format!("10.0.0.{n}:4434"),
            quic_addr: format!("10.0.0.{n}:4435"),
            cert_hash: "ab".repeat(32),
            udp_public_key: "cd".repeat(32),
        }
    }

    #[test]
    fn this_edge_until_it_drains_then_the_others_in_turn() {
        let draining = Arc::new(AtomicBool::new(false));
        let d = LocalDirectory::new("eu", vec![addr(2), addr(3)], draining.clone());
        d.set_this(addr(1));
        assert_eq!(d.pick("eu"), Some(addr(1)));
        assert_eq!(d.pick("us"), None);
        draining.store(true, Ordering::Relaxed);
        assert_eq!(d.pick("eu"), Some(addr(2)));
        assert_eq!(d.pick("eu"), Some(addr(3)));
        assert_eq!(d.pick("eu"), Some(addr(2)));
        let alone = LocalDirectory::new("eu", Vec::new(), draining);
        alone.set_this(addr(1));
        assert_eq!(alone.pick("eu"), None);
    }
}
