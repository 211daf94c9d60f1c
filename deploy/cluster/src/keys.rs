//! Key and channel names under the prefix.

/// Names of every key and channel, under one prefix.
#[derive(Debug, Clone)]
pub(crate) struct Keys {
    prefix: String,
}

impl Keys {
    pub(crate) fn new(prefix: &str) -> Self {
        Self {
            prefix: prefix.to_owned(),
        }
    }
    /// Set of region ids ever registered (pruned when their record has expired).
    pub(crate) fn regions(&self) -> String {
        format!("{}regions", self.prefix)
    }
    /// A region's record (JSON, with a TTL).
    pub(crate) fn region(&self, id: &str) -> String {
        format!("{}region:{id}", self.prefix)
    }
    /// Set of a region's edge ids.
    pub(crate) fn edges(&self, region: &str) -> String {
        format!("{}edges:{region}", self.prefix)
    }
    /// An edge's record (JSON, with a TTL).
    pub(crate) fn edge(&self, id: &str) -> String {
        format!("{}edge:{id}", self.prefix)
    }
    /// Set of the keys of revocations (pruned when they have expired).
    pub(crate) fn revocations(&self) -> String {
        format!("{}revocations", self.prefix)
    }
    /// One revocation (JSON, expiring at its `until`).
    pub(crate) fn revoked(&self, key: &crate::RevocationKey) -> String {
        format!("{}revoked:{}", self.prefix, key.id())
    }
    /// Set of online user ids (pruned when their presence has expired).
    pub(crate) fn online(&self) -> String {
        format!("{}online", self.prefix)
    }
    /// A player's presence (JSON, with a TTL).
    pub(crate) fn presence(&self, user: i64) -> String {
        format!("{}presence:{user}", self.prefix)
    }
    /// A player's counters (hash).
    pub(crate) fn stats(&self, user: i64) -> String {
        format!("{}stats:{user}", self.prefix)
    }
    /// A player's home region (a plain string, no TTL: the player store holds the truth).
    pub(crate) fn home(&self, user: i64) -> String {
        format!("{}home:{user}", self.prefix)
    }
    /// The events channel.
    pub(crate) fn events(&self) -> String {
        format!("{}events", self.prefix)
    }
}
