//! The encrypting datagram socket laminar runs on: a non-blocking std `UdpSocket` plus the
//! sans-IO [`Endpoint`]. Laminar only ever sees authenticated plaintext.

use crate::endpoint::{Endpoint, EndpointEvent};
use crate::session::DropCounters;
use laminar::DatagramSocket;
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::time::Instant;

/// Receive buffer: larger than any datagram we accept so oversized ones are seen and counted.
const RECV_BUF: usize = 2048;

/// A [`DatagramSocket`] that encrypts on send and decrypts (and filters) on receive.
#[derive(Debug)]
pub struct CryptoSocket {
    udp: UdpSocket,
    endpoint: Endpoint,
    buf: Box<[u8]>,
    send_errors: u64,
}

impl CryptoSocket {
    /// Wrap a bound socket (set to non-blocking here) and an endpoint.
    pub fn new(udp: UdpSocket, endpoint: Endpoint) -> io::Result<Self> {
        udp.set_nonblocking(true)?;
        let mut s = Self {
            udp,
            endpoint,
            buf: vec![0u8; RECV_BUF].into_boxed_slice(),
            send_errors: 0,
        };
        s.flush();
        Ok(s)
    }

    /// The sans-IO endpoint.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Datagrams dropped so far, by reason.
    pub fn drops(&self) -> DropCounters {
        self.endpoint.drops()
    }

    /// Send every datagram the endpoint has queued (handshake answers, disconnects).
    pub fn flush(&mut self) {
        while let Some((to, d)) = self.endpoint.poll_transmit() {
            if self.udp.send_to(&d, to).is_err() {
                self.send_errors += 1;
            }
        }
    }

    /// Advance the endpoint's timers and send what they produce.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.endpoint.handle_timeout(now);
        self.flush();
    }

    /// The next endpoint event.
    pub fn poll_event(&mut self) -> Option<EndpointEvent> {
        self.endpoint.poll_event()
    }

    /// Send an authenticated disconnect to `peer` and forget its session.
    pub fn close(&mut self, peer: SocketAddr, code: u8) -> bool {
        let had = self.endpoint.close(peer, code);
        self.flush();
        had
    }

    /// Forget a peer's session without telling it.
    pub fn remove(&mut self, peer: SocketAddr) -> bool {
        self.endpoint.remove(peer)
    }
}

impl DatagramSocket for CryptoSocket {
    fn send_packet(&mut self, addr: &SocketAddr, payload: &[u8]) -> io::Result<usize> {
        match self.endpoint.seal(*addr, payload) {
            Ok(datagram) => self.udp.send_to(&datagram, addr),
            // Laminar still holds state for a closed peer for a while: drop what it sends.
            Err(_) => Ok(0),
        }
    }

    fn receive_packet<'a>(&mut self, buffer: &'a mut [u8]) -> io::Result<(&'a [u8], SocketAddr)> {
        loop {
            let (n, from) = self.udp.recv_from(&mut self.buf)?;
            let datagram = self.buf.get(..n).unwrap_or_default();
            let plain = self
                .endpoint
                .handle_datagram(Instant::now(), from, datagram);
            self.flush();
            let Some(plain) = plain else { continue };
            // Laminar rejects empty packets; skip them here rather than log its error.
            if plain.is_empty() || plain.len() > buffer.len() {
                continue;
            }
            let out = buffer
                .get_mut(..plain.len())
                .ok_or_else(|| io::Error::other("buffer"))?;
            out.copy_from_slice(&plain);
            return Ok((out, from));
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.udp.local_addr()
    }

    fn is_blocking_mode(&self) -> bool {
        false
    }
}
