//! The impairment proxies. [`ImpairProxy`] is a UDP relay between clients and a server on
//! loopback that runs every datagram through a [`netcore`
//! emulator](starlane_netcore::proto::emulator), for real processes where the kernel offers no
//! netem. [`TcpImpairProxy`] gives TCP connections (the WebSocket fallback) a link of the same
//! latency and rate.
//!
//! Clients send to [`ImpairProxy::local_addr`]; the proxy gives each client source address its
//! own socket towards the upstream server (so the server sees distinct peers) and its own pair
//! of emulators, client to server ("up") and server to client ("down"). A loop thread with
//! its own runtime forwards datagrams when the emulators say they are due, so the proxy works
//! from synchronous code and from inside any tokio runtime alike.
//!
//! ```no_run
//! use starlane_bench::impair::ImpairProxy;
//! use starlane_netcore::proto::emulator::Preset;
//!
//! let upstream = "127.0.0.1:4434".parse().expect("literal");
//! let listen = "127.0.0.1:0".parse().expect("literal");
//! let lossy = Preset::Lossy.config();
//! let proxy = ImpairProxy::start(listen, upstream, lossy.clone(), lossy)?;
//! println!("clients connect to {}", proxy.local_addr());
//! println!("{}", proxy.stats());
//! proxy.shutdown();
//! # Ok::<(), starlane_bench::impair::ImpairError>(())
//! ```

mod config;
mod relay;
mod stats;
mod tcp;

pub use config::{ConfigFileError, ImpairArgs, parse_duplex};
pub use stats::ProxyStats;
pub use tcp::TcpImpairProxy;

use relay::Relay;
use starlane_netcore::proto::emulator::{ConfigError, ImpairmentConfig};
use stats::Counters;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::sync::oneshot;

/// Default for [`ProxyOptions::max_clients`].
pub const DEFAULT_MAX_CLIENTS: usize = 4096;
/// Default for [`ProxyOptions::idle_timeout`].
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Everything an [`ImpairProxy`] needs.
#[derive(Debug, Clone)]
pub struct ProxyOptions {
    /// Where clients send (port 0 picks a free port).
    pub listen: SocketAddr,
    /// The server datagrams are forwarded to.
    pub upstream: SocketAddr,
    /// Impairment of client-to-server datagrams (each client's emulator gets its own seed,
    /// derived from this one; the first client uses it as is).
    pub up: ImpairmentConfig,
    /// Impairment of server-to-client datagrams.
    pub down: ImpairmentConfig,
    /// Most client addresses served at once; datagrams from further ones are dropped.
    pub max_clients: usize,
    /// A client silent this long loses its upstream socket and emulators.
    pub idle_timeout: Duration,
}

impl ProxyOptions {
    /// Options with the default client limit and idle timeout.
    pub fn new(
        listen: SocketAddr,
        upstream: SocketAddr,
        up: ImpairmentConfig,
        down: ImpairmentConfig,
    ) -> ProxyOptions {
        ProxyOptions {
            listen,
            upstream,
            up,
            down,
            max_clients: DEFAULT_MAX_CLIENTS,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
        }
    }
}

/// Why an [`ImpairProxy`] could not start.
#[derive(Debug, thiserror::Error)]
pub enum ImpairError {
    /// One direction's impairment config is invalid.
    #[error("{direction} impairment: {source}")]
    Config {
        /// "up" or "down".
        direction: &'static str,
        /// What is wrong.
        source: ConfigError,
    },
    /// `max_clients` is zero.
    #[error("max_clients is 0; set it to at least 1")]
    NoClients,
    /// A socket, the runtime or the thread could not be set up.
    #[error("cannot {what}: {source}")]
    Io {
        /// What failed.
        what: &'static str,
        /// The cause.
        source: std::io::Error,
    },
}

fn io(what: &'static str) -> impl FnOnce(std::io::Error) -> ImpairError {
    move |source| ImpairError::Io { what, source }
}

/// A running impairment proxy. Dropping it stops the loop.
#[derive(Debug)]
pub struct ImpairProxy {
    local_addr: SocketAddr,
    counters: Arc<Counters>,
    stop: Mutex<Option<oneshot::Sender<()>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl ImpairProxy {
    /// Start a proxy from `listen` to `upstream` with the default client limit and idle timeout.
    pub fn start(
        listen: SocketAddr,
        upstream: SocketAddr,
        up: ImpairmentConfig,
        down: ImpairmentConfig,
    ) -> Result<ImpairProxy, ImpairError> {
        ImpairProxy::start_with(ProxyOptions::new(listen, upstream, up, down))
    }

    /// Start a proxy with explicit options.
    pub fn start_with(opts: ProxyOptions) -> Result<ImpairProxy, ImpairError> {
        opts.up.validate().map_err(|source| ImpairError::Config {
            direction: "up",
            source,
        })?;
        opts.down.validate().map_err(|source| ImpairError::Config {
            direction: "down",
            source,
        })?;
        if opts.max_clients == 0 {
            return Err(ImpairError::NoClients);
        }
        let socket =
            std::net::UdpSocket::bind(opts.listen).map_err(io("bind the listen socket"))?;
        let local_addr = socket.local_addr().map_err(io("read the listen address"))?;
        socket
            .set_nonblocking(true)
            .map_err(io("make the listen socket non-blocking"))?;
        let listen_tx = socket.try_clone().map_err(io("clone the listen socket"))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(io("build the proxy runtime"))?;
        let counters = Arc::new(Counters::default());
        let (stop_tx, stop_rx) = oneshot::channel();
        let loop_counters = Arc::clone(&counters);
        let thread = std::thread::Builder::new()
            .name("impair-proxy".into())
            .spawn(move || {
                runtime.block_on(async move {
                    match tokio::net::UdpSocket::from_std(socket) {
                        Ok(listen) => {
                            Relay::new(opts, listen, listen_tx, loop_counters)
                                .run(stop_rx)
                                .await
                        }
                        Err(_) => Counters::bump(&loop_counters.socket_errors),
                    }
                });
            })
            .map_err(io("spawn the proxy thread"))?;
        Ok(ImpairProxy {
            local_addr,
            counters,
            stop: Mutex::new(Some(stop_tx)),
            thread: Mutex::new(Some(thread)),
        })
    }

    /// The address clients send to.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The counters so far.
    pub fn stats(&self) -> ProxyStats {
        self.counters.snapshot()
    }

    /// Stop the loop and wait for it (datagrams still in flight are dropped). Idempotent.
    pub fn shutdown(&self) {
        if let Some(stop) = self.stop.lock().ok().and_then(|mut s| s.take()) {
            // The loop may already have ended; nothing to stop then.
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.lock().ok().and_then(|mut t| t.take()) {
            // A panic in the loop has already been reported by the panic hook.
            let _ = thread.join();
        }
    }
}

impl Drop for ImpairProxy {
    fn drop(&mut self) {
        self.shutdown();
    }
}
