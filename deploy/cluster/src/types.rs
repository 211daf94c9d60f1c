//! The records the cluster shares.

use serde::{Deserialize, Serialize};

/// A region server as registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionInfo {
    pub id: String,
    /// Where edges reach the region's link (QUIC), `host:port`.
    pub link_addr: String,
    /// Most sessions the region is meant to hold.
    pub capacity: u64,
    /// Sessions it holds now.
    pub sessions: u64,
    /// Entities it simulates now.
    pub entities: u64,
}

/// An edge relay as registered, per region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EdgeInfo {
    pub id: String,
    pub region: String,
    /// WebTransport URL (`https://host:port`).
    pub webtransport_url: String,
    /// Encrypted UDP address, `host:port`.
    pub udp_addr: String,
    /// QUIC address, `host:port`.
    pub quic_addr: String,
    /// SHA-256 of the certificate (lowercase hex), what browsers pin.
    pub cert_sha256: String,
    /// The UDP static public key (lowercase hex), what native clients pin.
    pub udp_public_key: String,
    /// `ws://` or `wss://` URL of the WebSocket fallback; empty without one (and in records
    /// of edges older than it).
    #[serde(default)]
    pub websocket_url: String,
    pub sessions: u64,
    pub capacity: u64,
    pub draining: bool,
}

impl EdgeInfo {
    /// Sessions over capacity (1 when it has none).
    pub fn load(&self) -> f64 {
        if self.capacity == 0 {
            1.0
        } else {
            self.sessions as f64 / self.capacity as f64
        }
    }

    /// Whether it takes new sessions: not draining, below capacity.
    pub fn accepts(&self) -> bool {
        !self.draining && self.sessions < self.capacity
    }
}

/// The edge a client should use among `edges` (all live): accepting, lowest load, lowest id.
pub(crate) fn least_loaded(edges: Vec<EdgeInfo>) -> Option<EdgeInfo> {
    edges
        .into_iter()
        .filter(EdgeInfo::accepts)
        .min_by(|a, b| a.load().total_cmp(&b.load()).then_with(|| a.id.cmp(&b.id)))
}

/// What a revocation names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "by", content = "value")]
pub enum RevocationKey {
    /// A token's `jti` claim.
    Jti(String),
    /// SHA-256 of the whole token (lowercase hex), for tokens without `jti`.
    TokenHash(String),
    /// Every token of a user.
    User(i64),
}

impl RevocationKey {
    /// A stable name, used in keys: `jti:..`, `hash:..`, `user:..`.
    pub fn id(&self) -> String {
        match self {
            RevocationKey::Jti(j) => format!("jti:{j}"),
            RevocationKey::TokenHash(h) => format!("hash:{h}"),
            RevocationKey::User(u) => format!("user:{u}"),
        }
    }
}

/// A revocation in force until `until` (unix seconds): the token's `exp` for a token, the
/// chosen time for a user.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Revocation {
    pub key: RevocationKey,
    pub until: i64,
}

impl Revocation {
    /// Whether it still applies at `now`.
    pub fn in_force(&self, now: i64) -> bool {
        self.until > now
    }
}

/// Where a player is online.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence {
    pub region: String,
    pub edge: String,
    /// Unix seconds the session opened.
    pub since: i64,
}

/// What to add to a player's counters (seed 000's `last_login`, seed 004's player stats and
/// seed 000's per-player command count).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatsDelta {
    pub logins: u64,
    pub sessions: u64,
    pub commands: u64,
    /// Stamp `last_login` with this time.
    pub login_at: Option<i64>,
    /// Stamp `last_seen` with this time.
    pub seen_at: Option<i64>,
}

/// A player's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlayerStats {
    /// Tokens accepted.
    pub logins: u64,
    /// Sessions opened on a region.
    pub sessions: u64,
    /// Commands forwarded.
    pub commands: u64,
    /// Unix seconds of the last accepted token (0: never).
    pub last_login: i64,
    /// Unix seconds the player was last seen (a session opened or ended; 0: never).
    pub last_seen: i64,
}

/// A message on the events channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "event")]
pub enum ClusterEvent {
    /// A token (or a user's tokens) was revoked.
    Revoked(Revocation),
    /// An operator's text for every connected client.
    Broadcast { text: String },
    /// A chat message on its way to the regions whose players read it (SPEC.md §21.1).
    Chat(ChatPost),
    /// Friend, mail or presence news for some players, wherever they play (SPEC.md §22).
    Social(SocialNote),
}

/// A social message for the sessions of the players `to`, delivered by every region to those
/// of its own sessions (SPEC.md §22).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SocialNote {
    /// The user ids of the players it is for.
    pub to: Vec<u64>,
    pub msg: starlane_protocol::social::SocialMsg,
}

/// Who reads a [`ChatPost`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatScope {
    /// The players of `region`.
    Region,
    /// The members of `alliance` (an alliance of `region`).
    Alliance,
    /// The player `to`, wherever it plays, and the sender's own sessions.
    Private,
}

/// A chat message published by the sender's region for every region to deliver to its own
/// sessions that read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatPost {
    /// The sender's region.
    pub region: String,
    pub scope: ChatScope,
    /// The sender's alliance (`Alliance` scope; else 0).
    pub alliance: u32,
    /// The sender's user id and name.
    pub from: u64,
    pub from_name: String,
    /// The addressee (`Private` scope; else 0).
    pub to: u64,
    pub text: String,
}
