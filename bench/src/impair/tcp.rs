//! The impairment proxy for TCP (the WebSocket fallback): each accepted connection gets its
//! own upstream connection, and each direction is a link of the configured latency and rate
//! behind a drop-free bottleneck queue of `queue_bytes`.
//!
//! TCP carries bytes, not datagrams, so of an [`ImpairmentConfig`] only `latency_ms`,
//! `rate_limit_bytes_per_sec` and `queue_bytes` apply: a chunk read at `t` starts on the link
//! once the link is free and the bytes before it have gone (`len / rate` each), and arrives
//! `latency` later. The queue is drop-free (TCP would resend a lost segment; a full queue
//! stops the proxy reading, and the proxy's receive buffers are as small as the queue, so the
//! sender's window closes and its own buffers fill, as behind a real slow link). Loss, jitter, duplication and reordering are not modelled.

use super::{ImpairError, io};
use starlane_netcore::proto::emulator::ImpairmentConfig;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{Semaphore, mpsc, oneshot};
use tokio::time::Instant;

/// Largest chunk read at once.
const CHUNK: usize = 16 * 1024;

/// What one direction of a TCP link does to its bytes.
#[derive(Debug, Clone, Copy)]
struct Shape {
    latency: Duration,
    /// Bytes per second; `None`: as fast as loopback.
    rate: Option<u64>,
    queue_bytes: usize,
}

impl Shape {
    fn of(cfg: &ImpairmentConfig) -> Shape {
        Shape {
            latency: Duration::from_secs_f64(cfg.latency_ms.max(0.0) / 1_000.0),
            rate: cfg.rate_limit_bytes_per_sec.filter(|r| *r > 0),
            queue_bytes: cfg.queue_bytes.max(CHUNK),
        }
    }

    /// How long `len` bytes take to go onto the link.
    fn transmit(&self, len: usize) -> Duration {
        match self.rate {
            Some(rate) => Duration::from_secs_f64(len as f64 / rate as f64),
            None => Duration::ZERO,
        }
    }
}

/// A running TCP impairment proxy. Dropping it stops it (open connections end).
#[derive(Debug)]
pub struct TcpImpairProxy {
    local_addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl TcpImpairProxy {
    /// Listen on `listen` and forward each connection to `upstream`, shaping client-to-server
    /// bytes by `up` and server-to-client bytes by `down`.
    pub fn start(
        listen: SocketAddr,
        upstream: SocketAddr,
        up: &ImpairmentConfig,
        down: &ImpairmentConfig,
    ) -> Result<TcpImpairProxy, ImpairError> {
        let (up, down) = (Shape::of(up), Shape::of(down));
        let listener = std::net::TcpListener::bind(listen).map_err(io("bind the tcp listener"))?;
        let local_addr = listener
            .local_addr()
            .map_err(io("read the listen address"))?;
        listener
            .set_nonblocking(true)
            .map_err(io("make the listener non-blocking"))?;
        // Accepted connections inherit the listener's receive buffer: the up direction's queue.
        socket2::SockRef::from(&listener)
            .set_recv_buffer_size(up.queue_bytes)
            .map_err(io("bound the listener's receive buffer"))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(io("build the proxy runtime"))?;
        let (stop_tx, stop_rx) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name("impair-tcp".into())
            .spawn(move || {
                runtime.block_on(async move {
                    if let Ok(listener) = TcpListener::from_std(listener) {
                        tokio::select! {
                            () = accept_loop(listener, upstream, up, down) => {}
                            _ = stop_rx => {}
                        }
                    }
                });
            })
            .map_err(io("spawn the proxy thread"))?;
        Ok(TcpImpairProxy {
            local_addr,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    /// The address clients connect to.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }
}

impl Drop for TcpImpairProxy {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            // The loop may have ended already.
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            // A panic in the loop has been reported by the panic hook.
            let _ = thread.join();
        }
    }
}

/// A connection to `upstream` whose receive buffer is `queue_bytes`. The proxy's receive
/// buffer on each side is its queue: without that bound the kernel would
/// take megabytes (autotuning) before the queue pushed back, and the sender would see a link
/// that takes everything.
async fn connect_bounded(upstream: SocketAddr, queue_bytes: usize) -> std::io::Result<TcpStream> {
    let socket = match upstream {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
    socket.set_recv_buffer_size(u32::try_from(queue_bytes).unwrap_or(u32::MAX))?;
    socket.connect(upstream).await
}

async fn accept_loop(listener: TcpListener, upstream: SocketAddr, up: Shape, down: Shape) {
    while let Ok((client, _)) = listener.accept().await {
        tokio::spawn(async move {
            let Ok(server) = connect_bounded(upstream, down.queue_bytes).await else {
                return;
            };
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            let (client_rx, client_tx) = client.into_split();
            let (server_rx, server_tx) = server.into_split();
            tokio::join!(
                pipe(client_rx, server_tx, up),
                pipe(server_rx, client_tx, down)
            );
        });
    }
}

/// Move bytes from `from` to `to` through a link shaped by `shape`, until either side ends.
async fn pipe(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, shape: Shape) {
    let queue = Arc::new(Semaphore::new(shape.queue_bytes));
    // Unbounded in messages but not in bytes: the reader takes `len` permits of `queue`
    // before sending a chunk and the writer returns them once it has written it, so the
    // channel never holds more than `queue_bytes`.
    let (tx, mut rx) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let room = queue.clone();
    let reader = async move {
        let mut buf = vec![0u8; CHUNK];
        loop {
            let n = match from.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            // The bottleneck queue: wait for room (the semaphore never closes).
            let Ok(permit) = room.acquire_many(n as u32).await else {
                break;
            };
            permit.forget();
            if tx.send((Instant::now(), buf[..n].to_vec())).is_err() {
                break;
            }
        }
    };
    let writer = async move {
        let mut link_free = Instant::now();
        while let Some((arrived, bytes)) = rx.recv().await {
            link_free = link_free.max(arrived) + shape.transmit(bytes.len());
            tokio::time::sleep_until(link_free + shape.latency).await;
            let written = to.write_all(&bytes).await;
            queue.add_permits(bytes.len());
            if written.is_err() {
                break;
            }
        }
        let _ = to.shutdown().await;
    };
    tokio::join!(reader, writer);
}
