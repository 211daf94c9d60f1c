//! bevy_replicon's server and client apps as the driver's stacks. The entity state is split
//! into the components an RTS author would replicate separately (replicon sends a changed
//! component whole): a stable id and the kind and owner, which never change, then the hex and
//! the health. Each session's visible set is applied per client through a visibility scope
//! bit; entities start visible to every client, so each new entity is hidden from all in the
//! frame it is spawned, before replication runs.

use bevy::prelude::*;
use bevy::state::app::StatesPlugin;
use bevy_replicon::prelude::*;
use bevy_replicon::server::server_tick::ServerTick;
use bevy_replicon::server::visibility::client_visibility::ClientVisibility;
use bevy_replicon::server::visibility::filters_mask::FilterBit;
use bevy_replicon::server::visibility::registry::FilterRegistry;
use bevy_replicon::shared::backend::connected_client::NetworkId;
use bevy_replicon::shared::replication::registry::ReplicationRegistry;
use bevy_replicon_renet::netcode::{
    ClientAuthentication, NetcodeClientTransport, NetcodeServerTransport, ServerAuthentication,
    ServerConfig,
};
use bevy_replicon_renet::renet::ConnectionConfig;
use bevy_replicon_renet::{RenetChannelsExt, RenetClient, RenetServer, RepliconRenetPlugins};
use peers_scenario::driver::{ClientStack, Routes, ServerStack};
use peers_scenario::script::{Id, Tick};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::net::{SocketAddr, UdpSocket};
use std::time::{SystemTime, UNIX_EPOCH};

const PROTOCOL_ID: u64 = 0x5354_4152;

/// The platform's entity id.
#[derive(Component, Serialize, Deserialize, Clone, Copy, PartialEq, Eq)]
pub struct Sid(pub u32);

/// What the entity is and whose: set once.
#[derive(Component, Serialize, Deserialize, Clone, Copy, PartialEq, Eq)]
pub struct Body {
    pub kind: u8,
    pub owner: u32,
}

/// Axial hex coordinates (postcard writes them as zigzag varints).
#[derive(Component, Serialize, Deserialize, Clone, Copy, PartialEq, Eq)]
pub struct HexPos {
    pub q: i32,
    pub r: i32,
}

#[derive(Component, Serialize, Deserialize, Clone, Copy, PartialEq, Eq)]
pub struct Health(pub u16);

/// The configuration, for the record.
pub fn config(per_tick: u32) -> Vec<(String, String)> {
    [
        ("plugins", "MinimalPlugins, StatesPlugin, RepliconPlugins (ServerPlugin tick_schedule None: the runner increments ServerTick once per script tick), RepliconRenetPlugins"),
        ("frames", "server: one app update per script tick (20 Hz) once replay starts; clients: one app update per 60 Hz frame"),
        ("components", "Sid(u32), Body{kind u8, owner u32}, HexPos{q i32, r i32}, Health(u16): each replicated whole when changed (postcard varints)"),
        ("interest", "one visibility scope bit (ScopeLifetime::WhileVisible); per client ClientVisibility::set from the script's view changes; new entities hidden from all in their first frame"),
        ("transport", "renet 2 over netcode UDP, ServerAuthentication::Unsecure (netcode still encrypts)"),
        ("bevy", "0.20, default features off (single-threaded executor)"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .chain([(
        "renet ConnectionConfig.available_bytes_per_tick".to_string(),
        format!("{per_tick} (the profile's rate / 20 Hz; past it unreliable mutations are dropped and resent by replicon)"),
    )])
    .collect()
}

fn app(server: bool) -> App {
    let mut app = App::new();
    let plugin = if server {
        ServerPlugin {
            tick_schedule: None,
            ..ServerPlugin::default()
        }
    } else {
        ServerPlugin::default()
    };
    app.add_plugins((
        MinimalPlugins,
        StatesPlugin,
        RepliconPlugins.set(plugin),
        RepliconRenetPlugins,
    ))
    .replicate::<Sid>()
    .replicate::<Body>()
    .replicate::<HexPos>()
    .replicate::<Health>();
    app
}

fn connection(app: &App, per_tick: u32) -> ConnectionConfig {
    let channels = app.world().resource::<RepliconChannels>();
    ConnectionConfig {
        available_bytes_per_tick: u64::from(per_tick),
        server_channels_config: channels.server_configs(),
        client_channels_config: channels.client_configs(),
    }
}

fn unix_now() -> anyhow::Result<std::time::Duration> {
    Ok(SystemTime::now().duration_since(UNIX_EPOCH)?)
}

#[derive(Resource, Deref)]
struct ScopeBit(FilterBit);

/// Visibility changes waiting for the next replication: entities to hide from every client
/// (new ones), then per session the (entity, visible) changes.
#[derive(Resource, Default)]
struct Pending {
    hide: Vec<Entity>,
    sessions: Vec<Vec<(Entity, bool)>>,
}

fn apply_visibility(
    bit: Res<ScopeBit>,
    mut pending: ResMut<Pending>,
    mut clients: Query<(&NetworkId, &mut ClientVisibility)>,
) {
    if pending.hide.is_empty() && pending.sessions.iter().all(Vec::is_empty) {
        return;
    }
    let Pending { hide, sessions } = &mut *pending;
    for (id, mut vis) in &mut clients {
        for e in hide.iter() {
            vis.set(*e, **bit, false);
        }
        let session = usize::try_from(id.get()).unwrap_or(usize::MAX);
        if let Some(changes) = sessions.get(session) {
            for (e, visible) in changes {
                vis.set(*e, **bit, *visible);
            }
        }
    }
    hide.clear();
    sessions.iter_mut().for_each(Vec::clear);
}

/// The server app.
pub struct ReplServer {
    app: App,
    by_id: FxHashMap<Id, Entity>,
    /// Set at the first tick: from then on the app runs one frame per tick, as a headless
    /// bevy server runs at its tick rate.
    ticking: bool,
}

impl ReplServer {
    pub fn new(
        socket: UdpSocket,
        routes: Routes,
        clients: usize,
        per_tick: u32,
    ) -> anyhow::Result<Self> {
        let mut app = app(true);
        app.insert_resource(Pending {
            hide: Vec::new(),
            sessions: vec![Vec::new(); clients],
        })
        .add_systems(PostUpdate, apply_visibility.before(ServerSystems::Send));
        app.finish();
        app.cleanup();
        let bit = app
            .world_mut()
            .resource_scope(|world, mut filters: Mut<FilterRegistry>| {
                world.resource_scope(|world, mut registry: Mut<ReplicationRegistry>| {
                    filters.register_scope::<Entity>(
                        world,
                        &mut registry,
                        ScopeLifetime::WhileVisible,
                    )
                })
            });
        app.insert_resource(ScopeBit(bit));
        let server = RenetServer::new(connection(&app, per_tick));
        // netcode checks that a client's token names one of the server's public addresses:
        // the clients dial their relays, so those are the public addresses.
        let transport = NetcodeServerTransport::new(
            ServerConfig {
                current_time: unix_now()?,
                max_clients: clients,
                protocol_id: PROTOCOL_ID,
                public_addresses: routes.dialed,
                authentication: ServerAuthentication::Unsecure,
            },
            socket,
        )?;
        app.insert_resource(server).insert_resource(transport);
        Ok(Self {
            app,
            by_id: FxHashMap::default(),
            ticking: false,
        })
    }
}

impl ServerStack for ReplServer {
    fn poll(&mut self) {
        if !self.ticking {
            self.app.update();
        }
    }

    fn ready(&self) -> usize {
        let world = self.app.world();
        world
            .iter_entities()
            .filter(|e| e.contains::<AuthorizedClient>())
            .count()
    }

    fn tick(&mut self, tick: &Tick) {
        self.ticking = true;
        let world = self.app.world_mut();
        let mut hide = Vec::new();
        for (id, s) in &tick.appeared {
            let hex = HexPos { q: s.q, r: s.r };
            match self.by_id.get(id) {
                Some(e) => {
                    if let Some(mut h) = world.get_mut::<HexPos>(*e) {
                        h.set_if_neq(hex);
                    }
                    if let Some(mut h) = world.get_mut::<Health>(*e) {
                        h.set_if_neq(Health(s.health));
                    }
                }
                None => {
                    let body = Body {
                        kind: s.kind,
                        owner: s.owner,
                    };
                    let e = world
                        .spawn((Replicated, Sid(*id), body, hex, Health(s.health)))
                        .id();
                    self.by_id.insert(*id, e);
                    hide.push(e);
                }
            }
        }
        for c in &tick.changed {
            let Some(e) = self.by_id.get(&c.id).copied() else {
                continue;
            };
            if let Some(mut h) = world.get_mut::<HexPos>(e) {
                let next = HexPos {
                    q: c.q.unwrap_or(h.q),
                    r: c.r.unwrap_or(h.r),
                };
                h.set_if_neq(next);
            }
            if let (Some(health), Some(mut h)) = (c.health, world.get_mut::<Health>(e)) {
                h.set_if_neq(Health(health));
            }
        }
        let mut pending = world.resource_mut::<Pending>();
        pending.hide.extend(hide);
        for v in &tick.views {
            let Some(changes) = pending.sessions.get_mut(v.session) else {
                continue;
            };
            let ids = v
                .left
                .iter()
                .map(|id| (id, false))
                .chain(v.entered.iter().map(|id| (id, true)));
            changes.extend(ids.filter_map(|(id, vis)| self.by_id.get(id).map(|e| (*e, vis))));
        }
        world.resource_mut::<ServerTick>().increment();
        self.app.update();
    }
}

/// One client app.
pub struct ReplClient {
    app: App,
    held: QueryState<(&'static Sid, &'static HexPos, &'static Health), With<Remote>>,
}

impl ReplClient {
    pub fn new(id: u64, to: SocketAddr, per_tick: u32) -> anyhow::Result<Self> {
        let mut app = app(false);
        app.finish();
        app.cleanup();
        let client = RenetClient::new(connection(&app, per_tick));
        let socket = UdpSocket::bind("127.0.0.1:0")?;
        let auth = ClientAuthentication::Unsecure {
            client_id: id,
            protocol_id: PROTOCOL_ID,
            server_addr: to,
            user_data: None,
        };
        let transport = NetcodeClientTransport::new(unix_now()?, auth, socket)?;
        app.insert_resource(client).insert_resource(transport);
        let held = app.world_mut().query_filtered();
        Ok(Self { app, held })
    }
}

impl ClientStack for ReplClient {
    fn poll(&mut self) {
        self.app.update();
    }

    fn connected(&self) -> bool {
        self.app
            .world()
            .get_resource::<State<ClientState>>()
            .is_some_and(|s| *s.get() == ClientState::Connected)
    }

    fn for_each(&mut self, f: &mut dyn FnMut(Id, i32, i32, u16)) {
        for (sid, hex, health) in self.held.iter(self.app.world()) {
            f(sid.0, hex.q, hex.r, health.0);
        }
    }
}
