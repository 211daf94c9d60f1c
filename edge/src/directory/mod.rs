//! Where the connect endpoint finds an edge for a player: the [`EdgeDirectory`] trait, its
//! in-process implementation, [`LocalDirectory`] (this edge while it is not draining, then
//! the edges listed in `[directory]`), and [`ClusterDirectory`], the registry the region's
//! edges share (`[cluster]` on Redis).

mod cluster;

pub use cluster::ClusterDirectory;

use crate::config::EdgeAddress;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

/// What [`EdgeDirectory`]'s calls return: a boxed future, so the trait stays object-safe.
pub type Lookup<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Picks the edge a player should connect to.
pub trait EdgeDirectory: Send + Sync + std::fmt::Debug {
    /// A healthy, non-draining edge of `region` (the least loaded one a registry knows), with
    /// what the client must pin, other than the one any of whose addresses is `avoid` (the
    /// edge a client just lost); `None` if there is none.
    fn pick<'a>(
        &'a self,
        region: &'a str,
        avoid: Option<&'a str>,
    ) -> Lookup<'a, Option<EdgeAddress>>;

    /// The home region of `user` if the directory knows one (a registry does; `None`: the
    /// connect endpoint's own region).
    fn home_region(&self, _user: i64) -> Lookup<'_, Option<String>> {
        Box::pin(async { None })
    }
}

/// Whether `avoid` names one of `edge`'s addresses.
pub fn is_avoided(edge: &EdgeAddress, avoid: Option<&str>) -> bool {
    avoid.is_some_and(|a| {
        let a = a.trim_end_matches('/');
        a == edge.udp_addr
            || a == edge.quic_addr
            || a == edge.webtransport_url.trim_end_matches('/')
    })
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

impl LocalDirectory {
    fn pick_now(&self, region: &str, avoid: Option<&str>) -> Option<EdgeAddress> {
        if region != self.region {
            return None;
        }
        if !self.draining.load(Ordering::Relaxed) {
            let this = self.this.read().unwrap_or_else(|e| e.into_inner());
            if let Some(a) = this.as_ref().filter(|a| !is_avoided(a, avoid)) {
                return Some(a.clone());
            }
        }
        let others: Vec<&EdgeAddress> = self
            .others
            .iter()
            .filter(|a| !is_avoided(a, avoid))
            .collect();
        if others.is_empty() {
            return None;
        }
        let i = self.next.fetch_add(1, Ordering::Relaxed) % others.len();
        others.get(i).map(|a| (*a).clone())
    }
}

impl EdgeDirectory for LocalDirectory {
    fn pick<'a>(
        &'a self,
        region: &'a str,
        avoid: Option<&'a str>,
    ) -> Lookup<'a, Option<EdgeAddress>> {
        let picked = self.pick_now(region, avoid);
        Box::pin(async move { picked })
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
            websocket_url: format!("wss://e{n}:4436/"),
        }
    }

    #[test]
    fn this_edge_until_it_drains_then_the_others_in_turn() {
        let draining = Arc::new(AtomicBool::new(false));
        let d = LocalDirectory::new("eu", vec![addr(2), addr(3)], draining.clone());
        d.set_this(addr(1));
        assert_eq!(d.pick_now("eu", None), Some(addr(1)));
        assert_eq!(d.pick_now("us", None), None);
        draining.store(true, Ordering::Relaxed);
        assert_eq!(d.pick_now("eu", None), Some(addr(2)));
        assert_eq!(d.pick_now("eu", None), Some(addr(3)));
        assert_eq!(d.pick_now("eu", None), Some(addr(2)));
        let alone = LocalDirectory::new("eu", Vec::new(), draining);
        alone.set_this(addr(1));
        assert_eq!(alone.pick_now("eu", None), None);
    }

    #[test]
    fn an_edge_the_client_lost_is_not_handed_out() {
        let draining = Arc::new(AtomicBool::new(false));
        let d = LocalDirectory::new("eu", vec![addr(2), addr(3)], draining.clone());
        d.set_this(addr(1));
        assert_eq!(d.pick_now("eu", Some("10.0.0.1:4434")), Some(addr(2)));
        assert_eq!(d.pick_now("eu", Some("10.0.0.9:1")), Some(addr(1)));
        draining.store(true, Ordering::Relaxed);
        assert_eq!(d.pick_now("eu", Some("https://e2:4433")), Some(addr(3)));
        assert_eq!(d.pick_now("eu", Some("10.0.0.3:4435")), Some(addr(2)));
    }
}
