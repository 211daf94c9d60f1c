//! The proxy loop: per-client upstream sockets and emulators, and a timer heap that delivers
//! each emulator's datagrams when they are due.

use super::ProxyOptions;
use super::stats::{Counters, DirectionCounters};
use starlane_netcore::proto::emulator::{Emulator, ImpairmentConfig};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// Largest datagram read.
const MAX_DATAGRAM: usize = 65_535;
/// Datagrams from the server waiting for the loop (beyond this the readers wait).
const UPSTREAM_CHANNEL: usize = 4096;
/// How often idle clients are looked for.
const SWEEP_INTERVAL: Duration = Duration::from_millis(500);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Direction {
    Up,
    Down,
}

/// One client source address: its own upstream socket and one emulator per direction.
struct Client {
    /// Sends to the server. Sending goes through the std handle: tokio's `try_send` reports
    /// a fresh socket as not ready until the reactor has seen it writable.
    upstream: std::net::UdpSocket,
    up: Emulator,
    down: Emulator,
    last_seen: Instant,
    reader: JoinHandle<()>,
}

pub(crate) struct Relay {
    opts: ProxyOptions,
    listen: Arc<UdpSocket>,
    /// Sends to clients (see [`Client::upstream`] for why a std handle).
    listen_tx: std::net::UdpSocket,
    clients: HashMap<SocketAddr, Client>,
    /// Wake-ups: when an emulator may have a datagram due. Stale entries are harmless.
    timers: BinaryHeap<Reverse<(Instant, SocketAddr, Direction)>>,
    from_upstream: mpsc::Receiver<(SocketAddr, Vec<u8>)>,
    upstream_tx: mpsc::Sender<(SocketAddr, Vec<u8>)>,
    counters: Arc<Counters>,
}

/// The seed of the `ordinal`-th client: the configured seed for the first client, distinct
/// ones for the others.
fn client_seed(seed: u64, ordinal: u64) -> u64 {
    seed ^ ordinal.wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

fn seeded(cfg: &ImpairmentConfig, ordinal: u64) -> ImpairmentConfig {
    ImpairmentConfig {
        seed: client_seed(cfg.seed, ordinal),
        ..cfg.clone()
    }
}

/// Run `op` on an emulator and add what it changed to the direction's counters.
fn counted<T>(
    emulator: &mut Emulator,
    counters: &DirectionCounters,
    op: impl FnOnce(&mut Emulator) -> T,
) -> T {
    let before = emulator.stats();
    let result = op(emulator);
    counters.add(&emulator.stats().since(&before));
    result
}

impl Relay {
    /// A relay receiving on `listen` and sending through `listen_tx`, a clone of its handle.
    pub fn new(
        opts: ProxyOptions,
        listen: UdpSocket,
        listen_tx: std::net::UdpSocket,
        counters: Arc<Counters>,
    ) -> Relay {
        let (upstream_tx, from_upstream) = mpsc::channel(UPSTREAM_CHANNEL);
        Relay {
            opts,
            listen: Arc::new(listen),
            listen_tx,
            clients: HashMap::new(),
            timers: BinaryHeap::new(),
            from_upstream,
            upstream_tx,
            counters,
        }
    }

    /// Run until `stop` fires (or its sender is dropped).
    pub async fn run(mut self, mut stop: oneshot::Receiver<()>) {
        let mut buf = vec![0u8; MAX_DATAGRAM];
        let mut sweep = tokio::time::interval(SWEEP_INTERVAL);
        loop {
            let next_timer = self.timers.peek().map(|t| t.0.0);
            let wake = tokio::time::Instant::from_std(
                next_timer.unwrap_or_else(|| Instant::now() + SWEEP_INTERVAL),
            );
            let listen = Arc::clone(&self.listen);
            tokio::select! {
                _ = &mut stop => break,
                received = listen.recv_from(&mut buf) => match received {
                    Ok((len, from)) => self.on_client_datagram(from, buf[..len].to_vec()),
                    Err(_) => Counters::bump(&self.counters.socket_errors),
                },
                Some((client, data)) = self.from_upstream.recv() => {
                    self.on_server_datagram(client, data);
                }
                _ = tokio::time::sleep_until(wake), if next_timer.is_some() => {}
                _ = sweep.tick() => self.expire_idle(),
            }
            self.deliver_due(Instant::now());
        }
        for (_, client) in self.clients.drain() {
            client.reader.abort();
        }
    }

    fn on_client_datagram(&mut self, from: SocketAddr, data: Vec<u8>) {
        let now = Instant::now();
        if !self.clients.contains_key(&from) && !self.admit(from) {
            return;
        }
        let Some(client) = self.clients.get_mut(&from) else {
            return;
        };
        client.last_seen = now;
        let due = counted(&mut client.up, &self.counters.up, |emulator| {
            emulator.send(now, data);
            emulator.poll_timeout()
        });
        if let Some(due) = due {
            self.timers.push(Reverse((due, from, Direction::Up)));
        }
    }

    fn on_server_datagram(&mut self, to: SocketAddr, data: Vec<u8>) {
        let now = Instant::now();
        let Some(client) = self.clients.get_mut(&to) else {
            return;
        };
        let due = counted(&mut client.down, &self.counters.down, |emulator| {
            emulator.send(now, data);
            emulator.poll_timeout()
        });
        if let Some(due) = due {
            self.timers.push(Reverse((due, to, Direction::Down)));
        }
    }

    /// Open an upstream socket for a new client; false if refused or impossible.
    fn admit(&mut self, from: SocketAddr) -> bool {
        if self.clients.len() >= self.opts.max_clients {
            Counters::bump(&self.counters.clients_rejected);
            return false;
        }
        let (upstream, reading) = match self.upstream_socket() {
            Ok(pair) => pair,
            Err(_) => {
                Counters::bump(&self.counters.socket_errors);
                return false;
            }
        };
        let ordinal = self.counters.clients_total.fetch_add(1, Ordering::Relaxed);
        let (Ok(up), Ok(down)) = (
            Emulator::new(seeded(&self.opts.up, ordinal)),
            Emulator::new(seeded(&self.opts.down, ordinal)),
        ) else {
            // Both configs were validated when the proxy started.
            return false;
        };
        let reader = tokio::spawn(read_upstream(
            reading,
            from,
            self.upstream_tx.clone(),
            Arc::clone(&self.counters),
        ));
        self.clients.insert(
            from,
            Client {
                upstream,
                up,
                down,
                last_seen: Instant::now(),
                reader,
            },
        );
        self.counters.clients_active.fetch_add(1, Ordering::Relaxed);
        true
    }

    /// A socket connected to the server, bound on the loopback address when the server is on
    /// loopback.
    /// Returns the sending handle and the tokio socket that reads.
    fn upstream_socket(&self) -> io::Result<(std::net::UdpSocket, UdpSocket)> {
        let server = self.opts.upstream;
        let ip = match server.ip() {
            ip if ip.is_loopback() => ip,
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        };
        let socket = std::net::UdpSocket::bind(SocketAddr::new(ip, 0))?;
        socket.connect(server)?;
        socket.set_nonblocking(true)?;
        let sending = socket.try_clone()?;
        Ok((sending, UdpSocket::from_std(socket)?))
    }

    /// Forward every datagram that is due by `now`.
    fn deliver_due(&mut self, now: Instant) {
        while let Some(&Reverse((due, addr, direction))) = self.timers.peek() {
            if due > now {
                break;
            }
            self.timers.pop();
            let Some(client) = self.clients.get_mut(&addr) else {
                continue;
            };
            let (emulator, counters) = match direction {
                Direction::Up => (&mut client.up, &self.counters.up),
                Direction::Down => (&mut client.down, &self.counters.down),
            };
            while let Some(data) = counted(emulator, counters, |e| e.poll_deliver(now)) {
                let sent = match direction {
                    Direction::Up => client.upstream.send(&data),
                    Direction::Down => self.listen_tx.send_to(&data, addr),
                };
                if sent.is_err() {
                    Counters::bump(&self.counters.socket_errors);
                }
            }
            if let Some(next) = emulator.poll_timeout() {
                self.timers.push(Reverse((next, addr, direction)));
            }
        }
    }

    /// Forget clients idle for longer than the idle timeout (datagrams in flight go too).
    fn expire_idle(&mut self) {
        let now = Instant::now();
        let idle = self.opts.idle_timeout;
        let counters = &self.counters;
        self.clients.retain(|_, client| {
            let keep = now.duration_since(client.last_seen) < idle;
            if !keep {
                client.reader.abort();
                counters.clients_active.fetch_sub(1, Ordering::Relaxed);
                Counters::bump(&counters.clients_expired);
            }
            keep
        });
    }
}

/// Read the server's datagrams for one client and hand them to the loop.
async fn read_upstream(
    socket: UdpSocket,
    client: SocketAddr,
    to_loop: mpsc::Sender<(SocketAddr, Vec<u8>)>,
    counters: Arc<Counters>,
) {
    let mut buf = vec![0u8; MAX_DATAGRAM];
    loop {
        match socket.recv(&mut buf).await {
            Ok(len) => {
                if to_loop.send((client, buf[..len].to_vec())).await.is_err() {
                    return;
                }
            }
            // A connected socket reports the server's port being closed (ICMP): keep going,
            // the server may come back.
            Err(_) => {
                Counters::bump(&counters.socket_errors);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}
