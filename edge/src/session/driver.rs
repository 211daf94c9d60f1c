//! Async driver of a [`SessionCore`]: moves bytes between a client [`Link`], the verifier and
//! the region hub, and keeps the metrics.

use super::core::{Action, SessionCore};
use super::meter::{ProfileWatch, SyncMeter};
use super::profiles::{ProfileStore, class_of};
use crate::auth::{VerifiedPlayer, Verifier};
use crate::cluster::{self, EdgeCluster, EdgeNotice};
use crate::metrics::{EdgeMetrics, LinkMeter, reason_label};
use crate::region_hub::{FrameFeed, RegionEvent, RegionHub, SendError};
use crate::resume::TicketKey;
use starlane_cluster::TokenSubject;
use starlane_netcore::transport::{Link, LinkEvent, SLOW_CONSUMER};
use starlane_protocol::client::ServerMsg;
use starlane_protocol::link::SessionId;
use starlane_protocol::{MoveReason, NoticeKind};
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, mpsc, watch};

/// What every session of an edge shares.
#[derive(Debug)]
pub struct SessionContext {
    pub verifier: Verifier,
    pub hub: Arc<RegionHub>,
    pub metrics: EdgeMetrics,
    pub hello_timeout: Duration,
    /// Turns true when the edge shuts down.
    pub shutdown: watch::Receiver<bool>,
    /// Where new sessions take their bandwidth profile from.
    pub profiles: Arc<ProfileStore>,
    /// How long a session is held after the region link drops (`region_link.session_grace_ms`).
    pub region_grace: Duration,
    /// Longest hello token accepted (`jwt.max_token_bytes`).
    pub max_token_bytes: usize,
    /// The key resume tickets are signed and checked with (`[resume]`).
    pub tickets: Arc<TicketKey>,
    /// Where moved clients reconnect (`drain.connect_url`).
    pub connect_url: String,
    /// Set when the edge drains: every session moves its client.
    drain: watch::Sender<Option<MoveReason>>,
    /// The edge's part of the cluster: revocations, broadcasts, presence.
    pub cluster: Option<Arc<EdgeCluster>>,
    next_id: AtomicU64,
}

impl SessionContext {
    /// A context; session ids start at 1. Sessions get the built-in profiles with the default
    /// selection until [`SessionContext::with_profiles`] sets the edge's store.
    pub fn new(
        verifier: Verifier,
        hub: Arc<RegionHub>,
        metrics: EdgeMetrics,
        hello_timeout: Duration,
        shutdown: watch::Receiver<bool>,
    ) -> Self {
        let set = crate::config::embedded_set().expect("built-in bandwidth profiles are valid");
        let profiles = ProfileStore::new(set, None, Default::default(), metrics.clone())
            .expect("built-in profiles hold the default selection");
        Self {
            verifier,
            hub,
            metrics,
            hello_timeout,
            shutdown,
            profiles: Arc::new(profiles),
            region_grace: super::DEFAULT_REGION_GRACE,
            max_token_bytes: super::DEFAULT_MAX_TOKEN_BYTES,
            tickets: Arc::new(TicketKey::random(crate::resume::DEFAULT_TICKET_TTL)),
            connect_url: String::new(),
            drain: watch::channel(None).0,
            cluster: None,
            next_id: AtomicU64::new(1),
        }
    }

    /// Sign and check resume tickets with `key`; moved clients reconnect at `connect_url`.
    pub fn with_resume(mut self, key: Arc<TicketKey>, connect_url: &str) -> Self {
        self.tickets = key;
        self.connect_url = connect_url.to_string();
        self
    }

    /// Put every session in draining (`reason`): hellos are refused with `Draining` and each
    /// welcomed client is told to move. False if it already was.
    pub fn drain(&self, reason: MoveReason) -> bool {
        self.drain.send_if_modified(|d| {
            let first = d.is_none();
            if first {
                *d = Some(reason);
            }
            first
        })
    }

    /// Whether [`SessionContext::drain`] was called.
    pub fn is_draining(&self) -> bool {
        self.drain.borrow().is_some()
    }

    /// Take revocations, broadcasts and presence from `cluster`.
    pub fn with_cluster(mut self, cluster: Arc<EdgeCluster>) -> Self {
        self.cluster = Some(cluster);
        self
    }

    /// Refuse hellos whose token is longer than `max` bytes (`TokenTooLarge`).
    pub fn with_max_token_bytes(mut self, max: usize) -> Self {
        self.max_token_bytes = max;
        self
    }

    /// The bound the client transports put on a session's first reliable message: the size
    /// of a `Resume` (the longest first message) carrying a token of
    /// [`SessionContext::max_token_bytes`] and the longest ticket.
    pub fn first_message_limit(&self) -> usize {
        starlane_protocol::codec::resume_len(self.max_token_bytes)
    }

    /// Hold sessions `grace` after the region link drops (zero closes them at once).
    pub fn with_region_grace(mut self, grace: Duration) -> Self {
        self.region_grace = grace;
        self
    }

    /// Use `profiles` for new sessions.
    pub fn with_profiles(mut self, profiles: Arc<ProfileStore>) -> Self {
        self.profiles = profiles;
        self
    }

    fn allocate_id(&self) -> SessionId {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }
}

/// Check a resume ticket for the verified `player` now.
fn check_ticket(
    ctx: &SessionContext,
    player: VerifiedPlayer,
    ticket: &[u8],
) -> (
    VerifiedPlayer,
    Result<crate::resume::Ticket, crate::resume::TicketError>,
) {
    // The verifier refuses negative user ids.
    let user = u64::try_from(player.claims.user_id).unwrap_or(u64::MAX);
    let now = crate::auth::unix_now().max(0) as u64;
    let checked = ctx.tickets.verify(ticket, user, now);
    (player, checked)
}

/// The next entity frame that concerns the session; never before it is registered.
async fn next_frame(feed: Option<&FrameFeed>) {
    match feed {
        Some(f) => f.notified().await,
        None => std::future::pending().await,
    }
}

/// Hand the session's sync what its feed gathered, before it may send.
fn feed_sync(core: &mut SessionCore, feed: Option<&FrameFeed>) {
    let Some(feed) = feed else { return };
    let changes = feed.take();
    // Before the session syncs it tracks nothing: the ids concern nothing yet.
    if let Some(sync) = core.sync_mut() {
        sync.feed_changes(&changes.ids, changes.everything);
    }
}

async fn next_region_event(rx: &mut Option<mpsc::Receiver<RegionEvent>>) -> RegionEvent {
    let event = match rx {
        Some(r) => r.recv().await,
        None => std::future::pending().await,
    };
    // The hub closed the session's queue (it shed the session): nothing more will come.
    event.unwrap_or_else(|| {
        *rx = None;
        RegionEvent::Shed
    })
}

async fn next_notice(rx: &mut Option<broadcast::Receiver<EdgeNotice>>) -> Option<EdgeNotice> {
    let Some(r) = rx else {
        return std::future::pending().await;
    };
    match r.recv().await {
        Ok(n) => Some(n),
        // Lagged: the missed revocations were applied to the cache; the session's token is
        // checked against it below.
        Err(broadcast::error::RecvError::Lagged(_)) => None,
        Err(broadcast::error::RecvError::Closed) => {
            *rx = None;
            None
        }
    }
}

/// What the session does on a cluster notice (`None`: a lagged receiver, check the cache).
fn on_notice(
    core: &mut SessionCore,
    notice: Option<EdgeNotice>,
    subject: Option<&TokenSubject>,
    cluster: Option<&Arc<EdgeCluster>>,
) -> Vec<Action> {
    let revoked = match (&notice, subject) {
        (Some(EdgeNotice::Revoked(r)), Some(s)) => s.named_by(r),
        (None, Some(s)) => {
            cluster.is_some_and(|c| c.revocation_cache().is_revoked(s, crate::auth::unix_now()))
        }
        _ => false,
    };
    if revoked {
        if let Some(c) = cluster {
            c.metrics().sessions_revoked.inc();
        }
        return core.on_revoked();
    }
    match notice {
        Some(EdgeNotice::Broadcast(text)) => core.on_notice(NoticeKind::Broadcast, &text),
        _ => Vec::new(),
    }
}

async fn sleep_until(deadline: Option<std::time::Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(tokio::time::Instant::from_std(d)).await,
        None => std::future::pending().await,
    }
}

/// Run one client session to its end.
pub async fn run_session(mut link: Link, ctx: Arc<SessionContext>) {
    let transport = link.transport.as_str();
    let id = ctx.allocate_id();
    let mut core = SessionCore::new(id, Instant::now(), ctx.hello_timeout)
        .with_region_grace(ctx.region_grace)
        .with_max_token_bytes(ctx.max_token_bytes)
        .with_command_stream(rand::random::<u64>().max(1))
        .with_tickets(ctx.tickets.ttl());
    let mut drain = ctx.drain.subscribe();
    if let Some(reason) = *drain.borrow_and_update() {
        // Nothing to send yet: this only makes a hello be refused with `Draining`.
        let _ = core.on_drain(reason);
    }
    let profile = ctx.profiles.pick(class_of(link.transport));
    let mut profile_name = profile.name.clone();
    let mut profiles = ProfileWatch::new(&ctx.profiles, &profile);
    let mut sync_meter = SyncMeter::new(&profile);
    core.set_profile(profile, Instant::now());
    let mut region_rx = None;
    let mut shutdown = ctx.shutdown.clone();
    // Set once the session is registered at the hub: entity frames that concern it.
    let mut frames: Option<Arc<FrameFeed>> = None;
    let mut accepted = false;
    let mut meter = LinkMeter::new(link.transport);
    let listed = ctx
        .metrics
        .sessions
        .open(id, link.transport, link.stats.clone());
    let mut stats_tick = tokio::time::interval(Duration::from_secs(1));
    let mut notices = ctx.cluster.as_ref().map(|c| c.notices());
    // What revocations name this session's token by, once verified.
    let mut subject: Option<TokenSubject> = None;
    let mut user_id = 0i64;
    let mut commands = 0u64;
    // When the join went to the region (its answer is timed).
    let mut join_sent: Option<Instant> = None;
    tracing::debug!(session = id, peer = %link.peer, transport, profile = %profile_name, "session opened");
    while !core.is_closed() {
        let actions = tokio::select! {
            ev = link.events.recv() => match ev {
                Some(LinkEvent::Reliable(b)) => core.on_client(Instant::now(), true, &b),
                Some(LinkEvent::Datagram(b)) => core.on_client(Instant::now(), false, &b),
                Some(LinkEvent::FirstMessageTooLarge(n)) => core.on_first_message_too_large(n),
                Some(LinkEvent::Closed(_)) | None => {
                    core.on_link_closed();
                    Vec::new()
                }
            },
            ev = next_region_event(&mut region_rx) => {
                let mirror = ctx.hub.mirror();
                core.on_region(Instant::now(), ev, &mirror)
            }
            () = next_frame(frames.as_deref()) => {
                feed_sync(&mut core, frames.as_deref());
                let mirror = ctx.hub.mirror();
                core.on_mirror_frame(Instant::now(), &mirror)
            }
            _ = sleep_until(core.deadline()) => {
                feed_sync(&mut core, frames.as_deref());
                let mirror = ctx.hub.mirror();
                core.on_timeout(Instant::now(), &mirror)
            }
            _ = shutdown.changed() => core.on_shutdown(),
            Ok(()) = drain.changed() => match *drain.borrow_and_update() {
                Some(reason) => core.on_drain(reason),
                None => Vec::new(),
            },
            n = next_notice(&mut notices) => {
                on_notice(&mut core, n, subject.as_ref(), ctx.cluster.as_ref())
            }
            _ = stats_tick.tick() => {
                meter.sample(&link.stats, &ctx.metrics);
                sync_meter.flush(&mut core, &ctx.metrics);
                profiles.refresh(&mut core, &ctx.profiles, Instant::now());
                Vec::new()
            }
        };
        let mut queue = VecDeque::from(actions);
        while let Some(action) = queue.pop_front() {
            match action {
                Action::SendReliable(b) => {
                    let outcome = link.sender.send_reliable(b);
                    ctx.metrics.link.count_send(link.transport, outcome);
                }
                Action::SendDatagram(b) => {
                    let outcome = link.sender.send_datagram(b);
                    ctx.metrics.link.count_send(link.transport, outcome);
                }
                Action::Verify(token) => {
                    let started = Instant::now();
                    let verified = ctx.verifier.verify_refreshing(&token).await;
                    ctx.metrics
                        .phases
                        .jwt_verify
                        .observe(started.elapsed().as_secs_f64());
                    if let Ok(player) = &verified {
                        listed.set_user(player.claims.user_id, &player.claims.username);
                        user_id = player.claims.user_id;
                        subject = Some(cluster::subject(&token, &player.claims));
                        if let Some(c) = &ctx.cluster {
                            c.on_login(user_id);
                        }
                    }
                    // A profile configured for the token's user type replaces the class's.
                    if let Ok(player) = &verified
                        && let Some(p) = ctx.profiles.pick_for_user_type(&player.claims.user_type)
                    {
                        profile_name = p.name.clone();
                        profiles = ProfileWatch::new(&ctx.profiles, &p);
                        sync_meter = SyncMeter::new(&p);
                        core.set_profile(p, Instant::now());
                    }
                    queue.extend(core.on_verified(verified))
                }
                Action::VerifyResume { token, ticket } => {
                    let started = Instant::now();
                    let verified = ctx.verifier.verify_refreshing(&token).await;
                    ctx.metrics
                        .phases
                        .jwt_verify
                        .observe(started.elapsed().as_secs_f64());
                    let checked = verified.map(|player| check_ticket(&ctx, player, &ticket));
                    if let Ok((player, ticket)) = &checked {
                        listed.set_user(player.claims.user_id, &player.claims.username);
                        user_id = player.claims.user_id;
                        subject = Some(cluster::subject(&token, &player.claims));
                        let result = match ticket {
                            Ok(_) => "ok",
                            Err(crate::resume::TicketError::Expired) => "resume_expired",
                            Err(_) => "resume_invalid",
                        };
                        ctx.metrics.resumes.with_label_values(&[result]).inc();
                        if let Some(p) = ctx.profiles.pick_for_user_type(&player.claims.user_type) {
                            profile_name = p.name.clone();
                            profiles = ProfileWatch::new(&ctx.profiles, &p);
                            sync_meter = SyncMeter::new(&p);
                            core.set_profile(p, Instant::now());
                        }
                    }
                    queue.extend(core.on_resume_verified(checked))
                }
                Action::IssueTicket {
                    user_id,
                    empire,
                    stream,
                } => {
                    let now = crate::auth::unix_now().max(0) as u64;
                    let ticket = ctx.tickets.issue(user_id, empire, stream, now);
                    let outcome = link
                        .sender
                        .send_reliable(ServerMsg::ResumeTicket { ticket }.encode());
                    ctx.metrics.link.count_send(link.transport, outcome);
                }
                Action::Move {
                    reason,
                    user_id,
                    empire,
                    stream,
                } => {
                    let now = crate::auth::unix_now().max(0) as u64;
                    let ticket = ctx.tickets.issue(user_id, empire, stream, now);
                    let msg = ServerMsg::Move {
                        reason,
                        connect_url: ctx.connect_url.clone(),
                        ticket,
                    };
                    let outcome = link.sender.send_reliable(msg.encode());
                    ctx.metrics.link.count_send(link.transport, outcome);
                    ctx.metrics
                        .sessions_moved
                        .with_label_values(&[reason.name()])
                        .inc();
                }
                Action::Join(player) => {
                    region_rx = ctx.hub.join(id, player).ok();
                    frames = ctx.hub.frame_feed(id);
                    join_sent = region_rx.is_some().then(Instant::now);
                    queue.extend(core.on_join_sent(region_rx.is_some()));
                }
                Action::Command(command) => {
                    commands += 1;
                    let seq = command.seq;
                    if let Err(e) = ctx.hub.command(command) {
                        let full = e == SendError::Full;
                        queue.extend(core.on_forward_failed(seq, full));
                    }
                }
                Action::Accepted => {
                    accepted = true;
                    if let Some(sent) = join_sent.take() {
                        ctx.metrics
                            .phases
                            .region_join
                            .observe(sent.elapsed().as_secs_f64());
                    }
                    if let Some(c) = &ctx.cluster {
                        c.on_session_open(user_id, id);
                    }
                    ctx.metrics
                        .sessions_accepted
                        .with_label_values(&[transport])
                        .inc();
                    ctx.metrics
                        .sessions_active
                        .with_label_values(&[transport])
                        .inc();
                    ctx.metrics
                        .profile_sessions
                        .with_label_values(&[&profile_name])
                        .inc();
                }
                Action::Reject(reason) => {
                    tracing::debug!(
                        session = id,
                        reason = reason_label(reason),
                        "session rejected"
                    );
                    ctx.metrics.reject(reason);
                    let reject = ServerMsg::Reject { reason }.encode();
                    let outcome = link.sender.send_reliable(reject);
                    ctx.metrics.link.count_send(link.transport, outcome);
                    link.sender.close(reason as u8);
                }
                Action::Dropped(reason) => ctx.metrics.drop_message(reason),
                Action::Shed => {
                    ctx.metrics
                        .sync
                        .events_overflow
                        .with_label_values(&[&profile_name])
                        .inc();
                    link.sender.close(SLOW_CONSUMER);
                }
            }
        }
    }
    if core.region_knows() {
        ctx.hub.leave(id);
    } else {
        ctx.hub.forget(id);
    }
    if accepted && let Some(c) = &ctx.cluster {
        c.on_session_close(user_id, id, commands);
    }
    if accepted {
        ctx.metrics
            .sessions_active
            .with_label_values(&[transport])
            .dec();
        ctx.metrics
            .profile_sessions
            .with_label_values(&[&profile_name])
            .dec();
    }
    meter.finish(&link.stats, &ctx.metrics);
    drop(listed);
    sync_meter.flush(&mut core, &ctx.metrics);
    sync_meter.retire(&ctx.metrics);
    tracing::debug!(session = id, "session ended");
}
