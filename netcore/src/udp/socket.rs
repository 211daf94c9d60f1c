//! The loop's UDP socket: datagrams in and out, one system call for many where the platform
//! allows it.
//!
//! * **Batched** (the server): `quinn-udp` reads up to its batch of datagrams per call
//!   (`recvmmsg` on Linux), with UDP GRO where the kernel has it (one buffer then holds
//!   several datagrams of one sender, cut at `stride`), and sends runs of datagrams to one
//!   peer as one GSO send (`UDP_SEGMENT`), falling back to one `sendmsg` each where GSO is
//!   missing. The buffers take `batch × gro_segments × RECV_BUF` bytes (4 MiB on Linux): one
//!   set per server.
//! * **Plain** (the client, where thousands of bots may share a process): one `recvfrom` and
//!   one `sendto` per datagram, and a single buffer.
//!
//! Either way a datagram larger than [`RECV_BUF`] arrives at least [`RECV_BUF`] long (cut
//! there), so the endpoint sees it oversized and counts it.

use std::io::{ErrorKind, IoSliceMut};
use std::net::SocketAddr;
use tokio::io::Interest;
use tokio::net::UdpSocket;

/// Receive buffer per datagram: larger than any datagram we accept so oversized ones are seen
/// and counted.
pub(super) const RECV_BUF: usize = 2048;

/// Largest GSO send (the kernel's limit for one UDP datagram before segmentation).
const MAX_GSO_BYTES: usize = 65_000;

/// A UDP socket registered with the loop's runtime, with the buffers its reads need.
#[derive(Debug)]
pub(super) struct Socket {
    udp: UdpSocket,
    batched: Option<Batched>,
    /// The plain socket's receive buffer.
    buf: Vec<u8>,
}

#[derive(Debug)]
struct Batched {
    state: quinn_udp::UdpSocketState,
    /// One slot per datagram (or GRO train) a read may return.
    bufs: Vec<Vec<u8>>,
    meta: Vec<quinn_udp::RecvMeta>,
}

/// What one read brought in.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Received {
    /// Datagrams handed over.
    pub datagrams: usize,
    /// System calls it took (the last one may have found nothing).
    pub calls: usize,
}

impl Socket {
    /// Take over `udp` (nonblocking), inside the loop's runtime. `batched` picks the batched
    /// socket; a platform where `quinn-udp` cannot set the socket up gets the plain one.
    pub fn new(udp: std::net::UdpSocket, batched: bool) -> std::io::Result<Self> {
        udp.set_nonblocking(true)?;
        let batched = if batched {
            match quinn_udp::UdpSocketState::new((&udp).into()) {
                Ok(state) => Some(Batched::new(state)),
                Err(e) => {
                    tracing::warn!("batched udp unavailable, one datagram per call: {e}");
                    None
                }
            }
        } else {
            None
        };
        Ok(Self {
            udp: UdpSocket::from_std(udp)?,
            buf: if batched.is_some() {
                Vec::new()
            } else {
                vec![0; RECV_BUF]
            },
            batched,
        })
    }

    /// Most datagrams one send may carry to one peer (1 without GSO).
    pub fn max_segments(&self) -> usize {
        self.batched
            .as_ref()
            .map_or(1, |b| b.state.max_gso_segments())
            .max(1)
    }

    /// Wait until the socket may have something to read.
    pub async fn readable(&self) -> std::io::Result<()> {
        self.udp.readable().await
    }

    /// Read what the socket has, without blocking, until it has nothing, or `max` datagrams
    /// were handed to `each`, or `max` reads were made (errors included).
    pub fn receive(&mut self, max: usize, mut each: impl FnMut(SocketAddr, &[u8])) -> Received {
        let mut got = Received::default();
        while got.datagrams < max && got.calls < max {
            got.calls += 1;
            let read = match &mut self.batched {
                Some(b) => b.read(&self.udp, &mut each),
                None => read_one(&self.udp, &mut self.buf, &mut each),
            };
            match read {
                Ok(n) => got.datagrams += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                // ICMP errors surface here on some platforms: nothing to do but go on.
                Err(_) => {}
            }
        }
        got
    }

    /// Send `contents` to `to`: one datagram, or with `segment` a run of datagrams of that
    /// size (the last may be shorter) as one GSO send. Waits for room in the socket buffer
    /// like a blocking socket would.
    pub async fn send(
        &self,
        to: SocketAddr,
        contents: &[u8],
        segment: Option<usize>,
    ) -> std::io::Result<()> {
        let Some(b) = &self.batched else {
            return self.udp.send_to(contents, to).await.map(drop);
        };
        let transmit = quinn_udp::Transmit {
            destination: to,
            ecn: None,
            contents,
            segment_size: segment.filter(|s| *s < contents.len()),
            src_ip: None,
        };
        loop {
            self.udp.writable().await?;
            match self.udp.try_io(Interest::WRITABLE, || {
                b.state.try_send((&self.udp).into(), &transmit)
            }) {
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                r => return r,
            }
        }
    }
}

impl Batched {
    fn new(state: quinn_udp::UdpSocketState) -> Self {
        let slot = RECV_BUF * state.gro_segments().max(1);
        Self {
            bufs: (0..quinn_udp::BATCH_SIZE).map(|_| vec![0; slot]).collect(),
            meta: vec![quinn_udp::RecvMeta::default(); quinn_udp::BATCH_SIZE],
            state,
        }
    }

    /// One `recvmmsg`: hand each datagram to `each` (a GRO train cut at its stride).
    fn read(
        &mut self,
        udp: &UdpSocket,
        each: &mut impl FnMut(SocketAddr, &[u8]),
    ) -> std::io::Result<usize> {
        let Self { state, bufs, meta } = self;
        let n = {
            let mut slices: Vec<IoSliceMut<'_>> =
                bufs.iter_mut().map(|b| IoSliceMut::new(b)).collect();
            udp.try_io(Interest::READABLE, || {
                state.recv(udp.into(), &mut slices, meta)
            })?
        };
        let mut datagrams = 0;
        for (m, buf) in meta.iter().zip(bufs.iter()).take(n) {
            let data = buf.get(..m.len).unwrap_or_default();
            // A stride of 0 would never advance: treat the buffer as one datagram.
            for d in data.chunks(m.stride.max(1).min(data.len().max(1))) {
                each(m.addr, d);
                datagrams += 1;
            }
        }
        Ok(datagrams)
    }
}

/// One `recvfrom` into `buf`.
fn read_one(
    udp: &UdpSocket,
    buf: &mut [u8],
    each: &mut impl FnMut(SocketAddr, &[u8]),
) -> std::io::Result<usize> {
    let (n, from) = udp.try_recv_from(buf)?;
    each(from, buf.get(..n).unwrap_or_default());
    Ok(1)
}

/// Runs of datagrams to one peer, for [`Socket::send`]: consecutive datagrams of one size
/// (the last of a run may be shorter) gathered into one buffer, at most `max_segments` and
/// [`MAX_GSO_BYTES`] per run.
#[derive(Debug, Default)]
pub(super) struct Runs {
    to: Option<SocketAddr>,
    bytes: Vec<u8>,
    segment: usize,
    count: usize,
    /// The run is closed: its last datagram was shorter than the segment.
    closed: bool,
}

impl Runs {
    /// Add `d` for `to` to the current run if it fits there; otherwise return `d` back, and
    /// the caller flushes the run ([`Runs::take`]) and pushes again.
    pub fn push(&mut self, to: SocketAddr, d: Vec<u8>, max_segments: usize) -> Option<Vec<u8>> {
        if self.count == 0 {
            self.to = Some(to);
            self.segment = d.len();
            self.count = 1;
            self.closed = false;
            self.bytes = d;
            return None;
        }
        let fits = self.to == Some(to)
            && !self.closed
            && self.count < max_segments
            && d.len() <= self.segment
            && self.bytes.len() + d.len() <= MAX_GSO_BYTES;
        if !fits {
            return Some(d);
        }
        self.closed = d.len() < self.segment;
        self.bytes.extend_from_slice(&d);
        self.count += 1;
        None
    }

    /// The run gathered so far (its peer, bytes and segment size when it holds more than one
    /// datagram), leaving the runs empty.
    pub fn take(&mut self) -> Option<(SocketAddr, Vec<u8>, Option<usize>)> {
        let to = self.to.take()?;
        let segment = (self.count > 1).then_some(self.segment);
        self.count = 0;
        Some((to, std::mem::take(&mut self.bytes), segment))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(port: u16) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], port))
    }

    #[test]
    fn runs_gather_one_peers_equal_datagrams() {
        let mut r = Runs::default();
        assert_eq!(r.push(addr(1), vec![1; 100], 8), None);
        assert_eq!(r.push(addr(1), vec![2; 100], 8), None);
        assert_eq!(r.push(addr(1), vec![3; 40], 8), None);
        // Closed by the shorter one.
        assert_eq!(r.push(addr(1), vec![4; 40], 8), Some(vec![4; 40]));
        let (to, bytes, seg) = r.take().expect("a run");
        assert_eq!((to, bytes.len(), seg), (addr(1), 240, Some(100)));
        assert!(r.take().is_none());
        // Another peer or a longer datagram starts a new run.
        assert_eq!(r.push(addr(1), vec![1; 50], 8), None);
        assert_eq!(r.push(addr(2), vec![1; 50], 8), Some(vec![1; 50]));
        assert_eq!(r.push(addr(1), vec![1; 60], 8), Some(vec![1; 60]));
        let (_, bytes, seg) = r.take().expect("a run");
        assert_eq!((bytes.len(), seg), (50, None));
    }

    #[test]
    fn runs_stop_at_the_segment_limit() {
        let mut r = Runs::default();
        for _ in 0..3 {
            assert_eq!(r.push(addr(1), vec![0; 10], 3), None);
        }
        assert!(r.push(addr(1), vec![0; 10], 3).is_some());
        let mut big = Runs::default();
        let mut n = 0;
        while big.push(addr(1), vec![0; 1200], 64).is_none() {
            n += 1;
        }
        assert_eq!(n, MAX_GSO_BYTES / 1200);
    }
}

#[cfg(test)]
mod io_tests {
    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
    }

    fn bound() -> std::net::UdpSocket {
        std::net::UdpSocket::bind("127.0.0.1:0").expect("bind loopback")
    }

    /// Datagrams sent on loopback are queued at the receiver before `send_to` returns, so
    /// what a read finds is known.
    #[test]
    fn a_batched_read_takes_many_datagrams_per_call() {
        let rt = runtime();
        let _in_rt = rt.enter();
        let (rx, tx) = (bound(), bound());
        let to = rx.local_addr().expect("addr");
        for i in 0..50u8 {
            tx.send_to(&[i; 100], to).expect("send");
        }
        tx.send_to(&[9; 3000], to).expect("send oversized");
        let mut socket = Socket::new(rx, true).expect("socket");
        rt.block_on(socket.readable()).expect("readable");
        let mut seen = Vec::new();
        let got = socket.receive(1000, |from, d| {
            assert_eq!(from, tx.local_addr().expect("addr"));
            seen.push((d.len(), d.first().copied()));
        });
        assert_eq!(got.datagrams, 51);
        assert!(got.calls <= 51 / quinn_udp::BATCH_SIZE + 2, "{got:?}");
        let sizes: Vec<_> = seen.iter().map(|(n, _)| *n).collect();
        assert_eq!(sizes.get(..50), Some(&[100; 50][..]));
        assert!(sizes.get(50).is_some_and(|n| *n >= RECV_BUF), "{sizes:?}");
        let firsts: Vec<_> = seen.iter().take(50).filter_map(|(_, f)| *f).collect();
        assert_eq!(firsts, (0..50).collect::<Vec<u8>>());
    }

    #[test]
    fn a_plain_read_takes_one_datagram_per_call() {
        let rt = runtime();
        let _in_rt = rt.enter();
        let (rx, tx) = (bound(), bound());
        let to = rx.local_addr().expect("addr");
        for i in 0..5u8 {
            tx.send_to(&[i; 10], to).expect("send");
        }
        let mut socket = Socket::new(rx, false).expect("socket");
        rt.block_on(socket.readable()).expect("readable");
        let got = socket.receive(1000, |_, _| {});
        assert_eq!(
            got,
            Received {
                datagrams: 5,
                calls: 6
            }
        );
        assert_eq!(socket.max_segments(), 1);
    }

    /// A GSO send arrives as separate datagrams, whether the receiver reads them one by one
    /// or as a GRO train cut at its stride.
    #[test]
    fn a_gso_run_arrives_as_its_datagrams() {
        let rt = runtime();
        rt.block_on(async {
            let (a, b, c) = (bound(), bound(), bound());
            let (to_b, to_c) = (b.local_addr().expect("addr"), c.local_addr().expect("addr"));
            let sender = Socket::new(a, true).expect("socket");
            assert!(
                sender.max_segments() > 1,
                "this machine's kernel has UDP GSO"
            );
            let mut run: Vec<u8> = Vec::new();
            for i in 0..10u8 {
                run.extend_from_slice(&[i; 1000]);
            }
            run.extend_from_slice(&[10; 300]);
            for to in [to_b, to_c] {
                sender.send(to, &run, Some(1000)).await.expect("gso send");
            }
            let mut batched = Socket::new(b, true).expect("socket");
            let mut plain = Socket::new(c, false).expect("socket");
            for socket in [&mut batched, &mut plain] {
                socket.readable().await.expect("readable");
                let mut seen = Vec::new();
                socket.receive(1000, |_, d| seen.push((d.len(), d.first().copied())));
                let want: Vec<_> = (0..11u8)
                    .map(|i| (if i == 10 { 300 } else { 1000 }, Some(i)))
                    .collect();
                assert_eq!(seen, want);
            }
        });
    }
}
