//! The Redis implementation (fred). Key layout: `README.md`.

use crate::keys::Keys;
use crate::revocation::unix_now;
use crate::{
    ClusterError, ClusterEvent, EdgeInfo, PlayerStats, Presence, RegionInfo, Revocation, StatsDelta,
};
use fred::clients::SubscriberClient;
use fred::prelude::*;
use fred::types::Expiration;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// How long one command may take, queued while reconnecting included.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(1);
/// Delay between reconnection attempts (forever).
const RECONNECT_DELAY_MS: u32 = 250;
/// How long [`RedisCluster::connect`] waits for the first connection.
const FIRST_CONNECT_WAIT: Duration = Duration::from_secs(2);
/// Capacity of the local events fan-out.
const EVENTS_CAPACITY: usize = 1024;

/// Cluster state on a Redis server.
#[derive(Clone)]
pub struct RedisCluster {
    client: Client,
    keys: Keys,
    events: broadcast::Sender<ClusterEvent>,
    /// Counts successful subscriptions to the events channel (1 after the first; each
    /// reconnection adds one): whatever was published in between was missed.
    subscriptions: watch::Receiver<u64>,
}

impl std::fmt::Debug for RedisCluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisCluster")
            .field("keys", &self.keys)
            .field("connected", &self.client.is_connected())
            .finish()
    }
}

fn builder(url: &str) -> Result<Builder, ClusterError> {
    let mut config = Config::from_url(url).map_err(|e| {
        ClusterError::Config(format!("cluster.redis_url {url:?} is not a Redis URL: {e}"))
    })?;
    // Start even when Redis is down: the client keeps trying in the background.
    config.fail_fast = false;
    let mut b = Builder::from_config(config);
    b.set_policy(ReconnectPolicy::new_constant(0, RECONNECT_DELAY_MS))
        .with_connection_config(|c| {
            c.connection_timeout = COMMAND_TIMEOUT;
            c.internal_command_timeout = COMMAND_TIMEOUT;
            c.max_command_attempts = 2;
        })
        .with_performance_config(|p| {
            p.default_command_timeout = COMMAND_TIMEOUT;
        });
    Ok(b)
}

impl RedisCluster {
    pub(crate) async fn connect(url: &str, prefix: &str) -> Result<Self, ClusterError> {
        let b = builder(url)?;
        let client = b.build().map_err(ClusterError::redis("client setup"))?;
        let subscriber = b
            .build_subscriber_client()
            .map_err(ClusterError::redis("subscriber setup"))?;
        client.connect();
        subscriber.connect();
        if tokio::time::timeout(FIRST_CONNECT_WAIT, client.wait_for_connect())
            .await
            .is_err()
        {
            tracing::warn!(url, "redis not reachable yet; retrying in the background");
        }
        let keys = Keys::new(prefix);
        let events = broadcast::channel(EVENTS_CAPACITY).0;
        let (subscribed, mut subscriptions) = watch::channel(0);
        tokio::spawn(forward_events(
            subscriber,
            keys.events(),
            events.clone(),
            subscribed,
        ));
        // Events published after `connect` returns reach this process: wait (bounded) for
        // the channel's subscription, as for the first connection.
        if tokio::time::timeout(FIRST_CONNECT_WAIT, subscriptions.wait_for(|n| *n > 0))
            .await
            .is_err()
        {
            tracing::warn!(
                url,
                "events channel not subscribed yet; retrying in the background"
            );
        }
        subscriptions.mark_unchanged();
        Ok(Self {
            client,
            keys,
            events,
            subscriptions,
        })
    }

    pub(crate) fn is_connected(&self) -> bool {
        self.client.is_connected()
    }

    async fn put_json<T: Serialize>(
        &self,
        key: String,
        value: &T,
        expire: Expiration,
    ) -> Result<(), ClusterError> {
        // Serializing these plain structs cannot fail.
        let json = serde_json::to_string(value).unwrap_or_default();
        self.client
            .set::<(), _, _>(key, json, Some(expire), None, false)
            .await
            .map_err(ClusterError::redis("SET"))
    }

    async fn get_json<T: DeserializeOwned>(&self, key: String) -> Result<Option<T>, ClusterError> {
        let raw: Option<String> = self
            .client
            .get(&key)
            .await
            .map_err(ClusterError::redis("GET"))?;
        raw.map(|s| decode(&key, &s)).transpose()
    }

    /// The live records of the members of index set `index` (`key_of` names a member's key);
    /// members whose record has expired are removed from the index.
    async fn live_members<T: DeserializeOwned>(
        &self,
        index: String,
        key_of: impl Fn(&str) -> String,
    ) -> Result<Vec<T>, ClusterError> {
        let members = self.live_members_by_id(index, key_of).await?;
        Ok(members.into_iter().map(|(_, record)| record).collect())
    }

    /// [`Self::live_members`] with each member's id, in id order.
    async fn live_members_by_id<T: DeserializeOwned>(
        &self,
        index: String,
        key_of: impl Fn(&str) -> String,
    ) -> Result<Vec<(String, T)>, ClusterError> {
        let mut ids: Vec<String> = self
            .client
            .smembers(&index)
            .await
            .map_err(ClusterError::redis("SMEMBERS"))?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        ids.sort();
        let keys: Vec<String> = ids.iter().map(|id| key_of(id)).collect();
        let values: Vec<Option<String>> = self
            .client
            .mget(keys.clone())
            .await
            .map_err(ClusterError::redis("MGET"))?;
        let mut out = Vec::new();
        let mut gone = Vec::new();
        for ((id, key), value) in ids.into_iter().zip(keys).zip(values) {
            match value {
                Some(s) => out.push((id, decode(&key, &s)?)),
                None => gone.push(id),
            }
        }
        if !gone.is_empty() {
            self.client
                .srem::<(), _, _>(&index, gone)
                .await
                .map_err(ClusterError::redis("SREM"))?;
        }
        Ok(out)
    }

    pub(crate) async fn put_region(
        &self,
        info: &RegionInfo,
        ttl: Duration,
    ) -> Result<(), ClusterError> {
        self.put_json(self.keys.region(&info.id), info, px(ttl))
            .await?;
        self.client
            .sadd::<(), _, _>(self.keys.regions(), info.id.as_str())
            .await
            .map_err(ClusterError::redis("SADD"))
    }

    pub(crate) async fn remove_region(&self, id: &str) -> Result<(), ClusterError> {
        self.client
            .del::<(), _>(self.keys.region(id))
            .await
            .map_err(ClusterError::redis("DEL"))?;
        self.client
            .srem::<(), _, _>(self.keys.regions(), id)
            .await
            .map_err(ClusterError::redis("SREM"))
    }

    pub(crate) async fn regions(&self) -> Result<Vec<RegionInfo>, ClusterError> {
        let keys = self.keys.clone();
        self.live_members(self.keys.regions(), |id| keys.region(id))
            .await
    }

    pub(crate) async fn region(&self, id: &str) -> Result<Option<RegionInfo>, ClusterError> {
        self.get_json(self.keys.region(id)).await
    }

    pub(crate) async fn put_edge(
        &self,
        info: &EdgeInfo,
        ttl: Duration,
    ) -> Result<(), ClusterError> {
        self.put_json(self.keys.edge(&info.id), info, px(ttl))
            .await?;
        self.client
            .sadd::<(), _, _>(self.keys.edges(&info.region), info.id.as_str())
            .await
            .map_err(ClusterError::redis("SADD"))
    }

    pub(crate) async fn remove_edge(&self, region: &str, id: &str) -> Result<(), ClusterError> {
        self.client
            .del::<(), _>(self.keys.edge(id))
            .await
            .map_err(ClusterError::redis("DEL"))?;
        self.client
            .srem::<(), _, _>(self.keys.edges(region), id)
            .await
            .map_err(ClusterError::redis("SREM"))
    }

    pub(crate) async fn edges(&self, region: &str) -> Result<Vec<EdgeInfo>, ClusterError> {
        let keys = self.keys.clone();
        let edges: Vec<EdgeInfo> = self
            .live_members(self.keys.edges(region), |id| keys.edge(id))
            .await?;
        // An edge that moved to another region is listed there.
        Ok(edges.into_iter().filter(|e| e.region == region).collect())
    }

    pub(crate) async fn revoke(&self, revocation: &Revocation) -> Result<(), ClusterError> {
        if revocation.in_force(unix_now()) {
            let key = self.keys.revoked(&revocation.key);
            self.put_json(key, revocation, Expiration::EXAT(revocation.until))
                .await?;
            self.client
                .sadd::<(), _, _>(self.keys.revocations(), revocation.key.id())
                .await
                .map_err(ClusterError::redis("SADD"))?;
        }
        self.publish(&ClusterEvent::Revoked(revocation.clone()))
            .await
    }

    pub(crate) async fn revocations(&self) -> Result<Vec<Revocation>, ClusterError> {
        let prefix = self.keys.revoked(&crate::RevocationKey::User(0));
        // `revoked:` + member id: the member ids are `RevocationKey::id` values.
        let base = prefix.trim_end_matches("user:0").to_owned();
        self.live_members(self.keys.revocations(), |id| format!("{base}{id}"))
            .await
    }

    pub(crate) async fn set_online(
        &self,
        user: i64,
        presence: &Presence,
        ttl: Duration,
    ) -> Result<(), ClusterError> {
        self.put_json(self.keys.presence(user), presence, px(ttl))
            .await?;
        self.client
            .sadd::<(), _, _>(self.keys.online(), user)
            .await
            .map_err(ClusterError::redis("SADD"))
    }

    pub(crate) async fn set_offline(&self, user: i64, edge: &str) -> Result<(), ClusterError> {
        // Not atomic: a session opening elsewhere between the read and the delete loses its
        // presence until that edge's next refresh (one heartbeat).
        let current: Option<Presence> = self.get_json(self.keys.presence(user)).await?;
        if current.is_some_and(|p| p.edge == edge) {
            self.client
                .del::<(), _>(self.keys.presence(user))
                .await
                .map_err(ClusterError::redis("DEL"))?;
            self.client
                .srem::<(), _, _>(self.keys.online(), user)
                .await
                .map_err(ClusterError::redis("SREM"))?;
        }
        Ok(())
    }

    pub(crate) async fn set_home_region(
        &self,
        user: i64,
        region: &str,
    ) -> Result<(), ClusterError> {
        self.client
            .set::<(), _, _>(self.keys.home(user), region, None, None, false)
            .await
            .map_err(ClusterError::redis("SET"))
    }

    pub(crate) async fn home_region(&self, user: i64) -> Result<Option<String>, ClusterError> {
        self.client
            .get(self.keys.home(user))
            .await
            .map_err(ClusterError::redis("GET"))
    }

    pub(crate) async fn presence(&self, user: i64) -> Result<Option<Presence>, ClusterError> {
        self.get_json(self.keys.presence(user)).await
    }

    pub(crate) async fn online(&self) -> Result<Vec<(i64, Presence)>, ClusterError> {
        let keys = self.keys.clone();
        let members = self
            .live_members_by_id(self.keys.online(), |id| {
                // Members are user ids written by `set_online`; another string names no key.
                id.parse()
                    .map_or_else(|_| String::new(), |u| keys.presence(u))
            })
            .await?;
        let mut out: Vec<(i64, Presence)> = members
            .into_iter()
            .filter_map(|(id, p)| id.parse().ok().map(|u| (u, p)))
            .collect();
        out.sort_unstable_by_key(|(u, _)| *u);
        Ok(out)
    }

    pub(crate) async fn count(&self, user: i64, delta: &StatsDelta) -> Result<(), ClusterError> {
        let key = self.keys.stats(user);
        for (field, n) in [
            ("logins", delta.logins),
            ("sessions", delta.sessions),
            ("commands", delta.commands),
        ] {
            if n > 0 {
                let n = i64::try_from(n).unwrap_or(i64::MAX);
                self.client
                    .hincrby::<(), _, _>(&key, field, n)
                    .await
                    .map_err(ClusterError::redis("HINCRBY"))?;
            }
        }
        let mut stamps = Vec::new();
        if let Some(t) = delta.login_at {
            stamps.push(("last_login", t));
        }
        if let Some(t) = delta.seen_at {
            stamps.push(("last_seen", t));
        }
        if !stamps.is_empty() {
            self.client
                .hset::<(), _, _>(&key, stamps)
                .await
                .map_err(ClusterError::redis("HSET"))?;
        }
        Ok(())
    }

    pub(crate) async fn stats(&self, user: i64) -> Result<PlayerStats, ClusterError> {
        let map: HashMap<String, i64> = self
            .client
            .hgetall(self.keys.stats(user))
            .await
            .map_err(ClusterError::redis("HGETALL"))?;
        let get = |f: &str| map.get(f).copied().unwrap_or(0);
        let count = |f: &str| u64::try_from(get(f)).unwrap_or(0);
        Ok(PlayerStats {
            logins: count("logins"),
            sessions: count("sessions"),
            commands: count("commands"),
            last_login: get("last_login"),
            last_seen: get("last_seen"),
        })
    }

    pub(crate) async fn publish(&self, event: &ClusterEvent) -> Result<(), ClusterError> {
        // Serializing these plain enums cannot fail.
        let json = serde_json::to_string(event).unwrap_or_default();
        self.client
            .publish::<(), _, _>(self.keys.events(), json)
            .await
            .map_err(ClusterError::redis("PUBLISH"))
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<ClusterEvent> {
        self.events.subscribe()
    }

    pub(crate) fn subscriptions(&self) -> watch::Receiver<u64> {
        self.subscriptions.clone()
    }
}

fn px(ttl: Duration) -> Expiration {
    Expiration::PX(i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX).max(1))
}

fn decode<T: DeserializeOwned>(key: &str, s: &str) -> Result<T, ClusterError> {
    serde_json::from_str(s).map_err(|e| ClusterError::BadRecord {
        key: key.to_owned(),
        detail: e.to_string(),
    })
}

/// Subscribe to the events channel (again after every reconnection) and hand each message to
/// the local fan-out; messages that do not decode are dropped and logged.
async fn forward_events(
    subscriber: SubscriberClient,
    channel: String,
    events: broadcast::Sender<ClusterEvent>,
    subscribed: watch::Sender<u64>,
) {
    let mut messages = subscriber.message_rx();
    let mut reconnects = subscriber.reconnect_rx();
    loop {
        if let Err(e) = subscriber.subscribe(channel.as_str()).await {
            tracing::debug!(error = %e, "redis subscribe failed; retrying");
            tokio::time::sleep(Duration::from_millis(u64::from(RECONNECT_DELAY_MS))).await;
            continue;
        }
        subscribed.send_modify(|n| *n += 1);
        loop {
            tokio::select! {
                m = messages.recv() => match m {
                    Ok(m) => {
                        let Some(text) = m.value.as_str() else { continue };
                        match serde_json::from_str::<ClusterEvent>(&text) {
                            Ok(ev) => { let _ = events.send(ev); }
                            Err(e) => tracing::warn!(error = %e, "undecodable cluster event dropped"),
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(lost = n, "cluster events lagged");
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                r = reconnects.recv() => match r {
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => break,
                    Err(broadcast::error::RecvError::Closed) => return,
                },
            }
        }
    }
}
