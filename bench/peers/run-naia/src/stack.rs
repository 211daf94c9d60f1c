//! naia's server and client as the driver's stacks: one replicated component per entity
//! (the platform's entity state, with naia's integer codecs), one room holding every entity
//! that no user joins, and each session's visible set applied as per-user scope includes and
//! excludes, so each client sees exactly what the platform's vision gave its session.

use crate::table::{Entity, Table};
use crate::transport::{self, Hub};
use naia_server::{ReplicationConfig, RoomKey, Server, ServerConfig, UserKey};
use naia_shared::{
    Instant, Property, Protocol, Replicate, SignedVariableInteger, UnsignedInteger,
    UnsignedVariableInteger,
};
use peers_scenario::driver::{ClientStack, ServerStack};
use peers_scenario::script::{Id, State, Tick};
use rustc_hash::FxHashMap;
use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

/// The platform's entity state: ids and owners as variable-length unsigned integers, the
/// kind in 4 bits, hex coordinates as variable-length signed integers (7 bits a chunk covers
/// the maps' coordinates in one chunk), health variable-length. naia sends only the fields
/// that changed.
#[derive(Replicate)]
pub struct Unit {
    pub sid: Property<UnsignedVariableInteger<7>>,
    pub kind: Property<UnsignedInteger<4>>,
    pub owner: Property<UnsignedVariableInteger<7>>,
    pub q: Property<SignedVariableInteger<7>>,
    pub r: Property<SignedVariableInteger<7>>,
    pub health: Property<UnsignedVariableInteger<7>>,
}

/// The tick the script runs at.
const TICK: Duration = Duration::from_millis(50);

fn protocol() -> Protocol {
    Protocol::builder()
        .tick_interval(TICK)
        .add_default_channels()
        .add_component::<Unit>()
        .build()
}

/// The configuration, for the record.
pub fn config(rate: u32) -> Vec<(String, String)> {
    [
        ("protocol.tick_interval", "50 ms (the script's 20 Hz)"),
        ("component", "Unit: sid UnsignedVariableInteger<7>, kind UnsignedInteger<4>, owner UnsignedVariableInteger<7>, q/r SignedVariableInteger<7>, health UnsignedVariableInteger<7>"),
        ("interest", "every entity in one room no user joins; per-user scope include/exclude from the script's view changes; ScopeExit default (despawn on the client)"),
        ("server.require_auth", "false"),
        ("client.jitter_buffer", "Bypass"),
        ("client.send_handshake_interval", "50 ms"),
        ("compression", "none (zstd_support off)"),
        ("priority", "default gains (1.0)"),
        ("server loop", "receive_all_packets + process_all_packets, then 3 ms sleeps until the next tick (as naia's demo server); at a tick take_tick_events, the script's changes, scope changes, send_all_packets"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .chain([(
        "server.connection.bandwidth.target_bytes_per_sec".to_string(),
        rate.to_string(),
    )])
    .collect()
}

/// The server and its world.
pub struct NaiaServer {
    server: Server<Entity>,
    world: Table,
    room: RoomKey,
    by_id: FxHashMap<Id, Entity>,
    /// Per session: its user, once connected.
    users: Vec<Option<UserKey>>,
    /// The address the server sees for each session's client.
    sessions: FxHashMap<SocketAddr, usize>,
}

impl NaiaServer {
    pub fn new(socket: UdpSocket, backs: Vec<SocketAddr>, hub: Hub, rate: u32) -> Self {
        let mut cfg = ServerConfig {
            require_auth: false,
            ..ServerConfig::default()
        };
        cfg.connection.bandwidth.target_bytes_per_sec = rate;
        let mut server = Server::new(cfg, protocol());
        server.listen(transport::server::Socket::new(socket, hub));
        let room = server.create_room().key();
        Self {
            server,
            world: Table::default(),
            room,
            by_id: FxHashMap::default(),
            users: vec![None; backs.len()],
            sessions: backs.into_iter().enumerate().map(|(i, a)| (a, i)).collect(),
        }
    }

    fn upsert(&mut self, id: Id, s: &State) {
        match self.by_id.get(&id) {
            Some(e) => self.set(*e, Some(s.q), Some(s.r), Some(s.health)),
            None => {
                let unit = Unit::new_complete(
                    UnsignedVariableInteger::new(id),
                    UnsignedInteger::new(s.kind.min(15)),
                    UnsignedVariableInteger::new(s.owner),
                    SignedVariableInteger::new(s.q),
                    SignedVariableInteger::new(s.r),
                    UnsignedVariableInteger::new(s.health),
                );
                let e = self
                    .server
                    .spawn_entity(&mut self.world)
                    .configure_replication(ReplicationConfig::public())
                    .insert_component(unit)
                    .id();
                self.server.room_mut(&self.room).add_entity(&e);
                self.by_id.insert(id, e);
            }
        }
    }

    /// Write only the fields that differ: any mutable access marks a property changed.
    fn set(&mut self, e: Entity, q: Option<i32>, r: Option<i32>, health: Option<u16>) {
        let mut entity = self.server.entity_mut(&mut self.world, &e);
        let Some(mut u) = entity.component::<Unit>() else {
            return;
        };
        if let Some(q) = q.filter(|q| i128::from(*q) != u.q.get()) {
            u.q.set(q);
        }
        if let Some(r) = r.filter(|r| i128::from(*r) != u.r.get()) {
            u.r.set(r);
        }
        if let Some(h) = health.filter(|h| i128::from(*h) != u.health.get()) {
            u.health.set(h);
        }
    }
}

impl ServerStack for NaiaServer {
    fn poll(&mut self) {
        let now = Instant::now();
        self.server.receive_all_packets();
        self.server.process_all_packets(&mut self.world, &now);
        let mut events = self.server.take_world_events();
        for user in events.read::<naia_server::ConnectEvent>() {
            let addr = self.server.user(&user).address();
            if let Some(slot) = self
                .sessions
                .get(&addr)
                .and_then(|i| self.users.get_mut(*i))
            {
                *slot = Some(user);
            }
        }
        for (user, _, _) in events.read::<naia_server::DisconnectEvent>() {
            for slot in &mut self.users {
                if *slot == Some(user) {
                    *slot = None;
                }
            }
        }
    }

    fn ready(&self) -> usize {
        self.users.iter().flatten().count()
    }

    fn tick(&mut self, tick: &Tick) {
        let now = Instant::now();
        let _ = self.server.take_tick_events(&now);
        for (id, s) in &tick.appeared {
            self.upsert(*id, s);
        }
        for c in &tick.changed {
            if let Some(e) = self.by_id.get(&c.id).copied() {
                self.set(e, c.q, c.r, c.health);
            }
        }
        for v in &tick.views {
            let Some(Some(user)) = self.users.get(v.session).copied() else {
                continue;
            };
            let mut scope = self.server.user_scope_mut(&user);
            for id in &v.left {
                if let Some(e) = self.by_id.get(id) {
                    scope.exclude(e);
                }
            }
            for id in &v.entered {
                if let Some(e) = self.by_id.get(id) {
                    scope.include(e);
                }
            }
        }
        self.server.send_all_packets(&self.world);
    }

    /// naia's demo server sleeps 3 ms when a pass found no events.
    fn idle(&self) -> Duration {
        Duration::from_millis(3)
    }
}

/// One client and its world.
pub struct NaiaClient {
    client: naia_client::Client<Entity>,
    world: Table,
    connected: bool,
}

impl NaiaClient {
    pub fn new(to: SocketAddr, hub: Hub) -> anyhow::Result<Self> {
        let cfg = naia_client::ClientConfig {
            jitter_buffer: naia_client::JitterBufferType::Bypass,
            send_handshake_interval: Duration::from_millis(50),
            ..naia_client::ClientConfig::default()
        };
        let mut client = naia_client::Client::new(cfg, protocol());
        client.connect(transport::client::Socket::new(to, hub)?);
        Ok(Self {
            client,
            world: Table::default(),
            connected: false,
        })
    }
}

impl ClientStack for NaiaClient {
    fn poll(&mut self) {
        let now = Instant::now();
        self.client.receive_all_packets();
        self.client.process_all_packets(&mut self.world, &now);
        let mut events = self.client.take_world_events();
        if events.read::<naia_client::ConnectEvent>().next().is_some() {
            self.connected = true;
        }
        if events
            .read::<naia_client::DisconnectEvent>()
            .next()
            .is_some()
        {
            self.connected = false;
        }
        let _ = self.client.take_tick_events(&now);
        self.client.send_all_packets(&self.world);
    }

    fn connected(&self) -> bool {
        self.connected
    }

    fn for_each(&mut self, f: &mut dyn FnMut(Id, i32, i32, u16)) {
        for u in self.world.each::<Unit>() {
            let (Ok(id), Ok(q), Ok(r), Ok(h)) = (
                u32::try_from(u.sid.get()),
                i32::try_from(u.q.get()),
                i32::try_from(u.r.get()),
                u16::try_from(u.health.get()),
            ) else {
                continue;
            };
            f(id, q, r, h);
        }
    }
}
