//! The model client, staleness history and the harness.

use super::region::{EMPIRE, Params, Region, STEP, TICK};
use starlane_client::delta::DeltaReceiver;
use starlane_edge::bandwidth::BandwidthProfile;
use starlane_edge::sync::{Mirror, SessionSync};
use starlane_netcore::proto::emulator::{Emulator, ImpairmentConfig};
use starlane_protocol::client::{ClientMsg, ServerMsg};
use starlane_protocol::delta::{Event, quantize};
use starlane_protocol::link::EntityFrame;
use starlane_protocol::{EntityId, EntityState, Hex, ResourceKind, Visibility};
use std::collections::{HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

/// Whether a client holding `held` has `current` (health after quantization).
pub fn same(held: &EntityState, current: &EntityState, step: u16) -> bool {
    held.kind == current.kind
        && held.owner == current.owner
        && held.pos == current.pos
        && quantize(held.health, step) == quantize(current.health, step)
}

/// Recent mirrored states of every visible entity, to tell how long ago the mirror moved away
/// from what the client holds.
#[derive(Default)]
pub struct History {
    per: HashMap<EntityId, VecDeque<(Instant, EntityState)>>,
}

impl History {
    pub fn record(&mut self, now: Instant, frame: &EntityFrame, mirror: &Mirror) {
        if frame.reset {
            self.per.clear();
        }
        let touched = frame
            .appeared
            .iter()
            .map(|s| s.id)
            .chain(frame.changed.iter().map(|c| c.id));
        for id in touched {
            if let Some(state) = mirror.get(id) {
                let h = self.per.entry(id).or_default();
                h.push_back((now, state.clone()));
                if h.len() > 200 {
                    h.pop_front();
                }
            }
        }
        for id in &frame.removed {
            self.per.remove(id);
        }
    }

    /// How long the mirror has differed from `held` at `now` (zero if equal).
    pub fn staleness(
        &self,
        id: EntityId,
        held: Option<&EntityState>,
        now: Instant,
        step: u16,
    ) -> Duration {
        let Some(h) = self.per.get(&id) else {
            return Duration::ZERO;
        };
        let Some(held) = held else {
            return now - h.front().unwrap().0;
        };
        match h.iter().rposition(|(_, s)| same(s, held, step)) {
            Some(k) if k + 1 == h.len() => Duration::ZERO,
            Some(k) => now - h[k + 1].0,
            None => now - h.front().unwrap().0,
        }
    }
}

/// The model client: a `DeltaReceiver` plus the hex vision and resources from events.
#[derive(Default)]
pub struct Client {
    pub rx: DeltaReceiver,
    pub vision: HashMap<Hex, Visibility>,
    pub resources: HashMap<ResourceKind, u32>,
    /// Times each `CommandAck` seq was applied.
    pub command_acks: HashMap<u32, u32>,
    /// Event ids applied (each must be applied once).
    pub event_ids: HashSet<u32>,
    pub packets: u64,
}

impl Client {
    /// Applies one datagram; returns the `Ack` datagram to send back.
    pub fn receive(&mut self, datagram: &[u8]) -> Option<Vec<u8>> {
        let Ok(ServerMsg::EntityPacket(p)) = ServerMsg::decode(datagram) else {
            panic!("the edge sent something that is not an EntityPacket");
        };
        self.packets += 1;
        let fresh: Vec<Event> = p
            .events
            .iter()
            .filter(|e| !self.event_ids.contains(&e.event_id))
            .map(|e| e.event)
            .collect();
        let applied = self.rx.handle_packet(&p);
        assert_eq!(
            applied.events, fresh,
            "events applied other than the new ones"
        );
        for e in &p.events {
            self.event_ids.insert(e.event_id);
        }
        for event in applied.events {
            match event {
                Event::Vision { hex, state } => {
                    self.vision.insert(hex, state);
                }
                Event::Resource { kind, amount } => {
                    self.resources.insert(kind, amount);
                }
                Event::CommandAck { seq } => *self.command_acks.entry(seq).or_insert(0) += 1,
                Event::CommandRejected { .. }
                | Event::Disappeared { .. }
                | Event::Combat(_)
                | Event::Job(_)
                | Event::Sharing(_)
                | Event::LastSeen(_)
                | Event::Forget { .. } => {}
            }
        }
        let (newest, mask) = self.rx.ack()?;
        Some(ClientMsg::Ack { newest, mask }.encode())
    }
}

/// Hex visibility without shroud entries (absent means shroud).
pub fn seen(vision: &HashMap<Hex, Visibility>) -> HashMap<Hex, Visibility> {
    vision
        .iter()
        .filter(|(_, v)| **v != Visibility::Shroud)
        .map(|(h, v)| (*h, *v))
        .collect()
}

/// Region, mirror, session and client joined through two emulators.
pub struct Harness {
    pub base: Instant,
    pub now: Instant,
    pub step: u16,
    pub region: Region,
    pub mirror: Mirror,
    pub session: SessionSync,
    pub client: Client,
    pub down: Emulator,
    pub up: Emulator,
    next_region: Instant,
    /// Bytes sent at every due poll.
    pub polls: Vec<(Instant, usize)>,
    pub history: History,
    pub max_datagram: usize,
    /// When the region last changed something.
    pub last_change: Option<Instant>,
}

impl Harness {
    pub fn new(
        params: Params,
        profile: &BandwidthProfile,
        down: ImpairmentConfig,
        up: ImpairmentConfig,
        seed: u64,
    ) -> Self {
        let base = Instant::now();
        let region = Region::new(params, seed);
        let mut mirror = Mirror::new();
        let mut history = History::default();
        let mut session = SessionSync::new(profile, EMPIRE, base);
        let (frame, view) = region.initial();
        mirror.apply(&frame);
        history.record(base, &frame, &mirror);
        session.handle_view(base, &view, &mirror);
        Self {
            base,
            now: base,
            step: profile.quantization.health_step.max(1),
            region,
            mirror,
            session,
            client: Client::default(),
            down: Emulator::new(down).unwrap(),
            up: Emulator::new(up).unwrap(),
            next_region: base + TICK,
            polls: Vec::new(),
            history,
            max_datagram: 0,
            last_change: Some(base),
        }
    }

    /// Whether the next step starts with a region tick.
    pub fn region_due(&self) -> bool {
        self.now >= self.next_region
    }

    /// One millisecond: region tick if due, session poll if due, deliveries both ways.
    pub fn advance(&mut self, changing: bool) {
        let now = self.now;
        if now >= self.next_region {
            let t = self.region.step(changing);
            if changing {
                self.last_change = Some(now);
            }
            self.mirror.apply(&t.frame);
            self.history.record(now, &t.frame, &self.mirror);
            self.session.handle_view(now, &t.view, &self.mirror);
            for e in t.events {
                self.session.push_event(e);
            }
            self.next_region += TICK;
        }
        if now >= self.session.next_send() {
            let out = self.session.poll_transmit(now, &self.mirror);
            let bytes = out.iter().map(Vec::len).sum();
            self.polls.push((now, bytes));
            for d in out {
                self.max_datagram = self.max_datagram.max(d.len());
                self.down.send(now, d);
            }
        }
        while let Some(d) = self.down.poll_deliver(now) {
            if let Some(ack) = self.client.receive(&d) {
                self.up.send(now, ack);
            }
        }
        while let Some(a) = self.up.poll_deliver(now) {
            let Ok(ClientMsg::Ack { newest, mask }) = ClientMsg::decode(&a) else {
                panic!("client sent something that is not an Ack");
            };
            self.session.handle_ack(now, newest, mask);
        }
        self.now += STEP;
    }

    /// Runs until `until`.
    pub fn run(&mut self, until: Instant, changing: bool) {
        while self.now < until {
            self.advance(changing);
        }
    }

    /// Largest bytes sent in any 1 s window ending at a poll.
    pub fn max_window_bytes(&self) -> usize {
        let mut max = 0;
        let mut sum = 0;
        let mut start = 0;
        for (i, &(t, b)) in self.polls.iter().enumerate() {
            sum += b;
            while self.polls[start].0 + Duration::from_secs(1) <= t {
                sum -= self.polls[start].1;
                start += 1;
            }
            let _ = i;
            max = max.max(sum);
        }
        max
    }

    /// Ids where the client's view differs from the mirror's (missing, extra, or other state).
    pub fn view_differences(&self) -> Vec<EntityId> {
        let mut out = Vec::new();
        for &id in self.region.visible() {
            let m = self.mirror.get(id);
            let c = self.client.rx.entity(id);
            let equal = match (m, c) {
                (Some(m), Some(c)) => same(c, m, self.step),
                _ => false,
            };
            if !equal {
                out.push(id);
            }
        }
        let visible: HashSet<EntityId> = self.region.visible().iter().copied().collect();
        out.extend(
            self.client
                .rx
                .entities()
                .map(|(id, _)| id)
                .filter(|id| !visible.contains(id)),
        );
        out
    }

    /// Staleness (see [`History::staleness`]) of `id` at the client now.
    pub fn staleness(&self, id: EntityId) -> Duration {
        self.history
            .staleness(id, self.client.rx.entity(id), self.now, self.step)
    }
}

/// A profile with the given budget, everything else default.
pub fn profile(
    bytes_per_sec: u32,
    burst: u32,
    max_packet: u32,
    max_staleness_ms: u32,
) -> BandwidthProfile {
    BandwidthProfile {
        bytes_per_sec,
        burst_bytes: burst,
        max_packet_bytes: max_packet,
        max_staleness_ms,
        ..BandwidthProfile::default()
    }
}

/// Unimpaired direction.
pub fn clean() -> ImpairmentConfig {
    ImpairmentConfig::default()
}

/// `latency_ms` one way, no loss.
pub fn delayed(latency_ms: f64) -> ImpairmentConfig {
    ImpairmentConfig {
        latency_ms,
        ..ImpairmentConfig::default()
    }
}
