//! The operations the fuzzer drives the simulation with, their byte layout, and how each is
//! applied. Every operation starts with one byte whose value modulo [`OP_COUNT`] selects it;
//! the numbering is fixed so the corpus in the repository keeps its meaning.
//!
//! `Endpoint::{send_reliable, send_datagram, close}` are used here only, to make connection
//! traffic.

use super::{CLIENTS, Focus, Sim, rebind_addr, server_addr, source_addr};
use crate::input::Input;
use std::net::SocketAddr;
use std::time::Duration;

/// Number of operation codes.
const OP_COUNT: u8 = 12;

/// A change applied to a datagram before it is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutation<'a> {
    /// Delivered as sent.
    None,
    /// One bit flipped (bit index modulo the datagram's bits).
    FlipBit(u16),
    /// Cut to this many bytes.
    Truncate(u16),
    /// Bytes appended.
    Append(&'a [u8]),
    /// One byte (index modulo the length) set to a value.
    SetByte(u16, u8),
}

/// One step of the simulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op<'a> {
    /// A datagram from source `source` into the endpoint under test (see [`Focus`]).
    Raw { source: u8, datagram: &'a [u8] },
    /// Client `client`'s queued datagram number `pick` (modulo the queue) reaches the server.
    ToServer {
        client: u8,
        pick: u8,
        mutation: Mutation<'a>,
    },
    /// The server's queued datagram number `pick` for client `client` reaches it.
    ToClient {
        client: u8,
        pick: u8,
        mutation: Mutation<'a>,
    },
    /// A datagram seen earlier (number `index` of the history) is sent again from `source`,
    /// to the server or, from the server's address, to a client.
    Replay {
        index: u8,
        to_server: bool,
        source: u8,
    },
    /// The clock moves on and every endpoint's timers run.
    Advance { millis: u16 },
    /// Client `client` sends a reliable message (or an unreliable datagram) to the server.
    ClientSend {
        client: u8,
        reliable: bool,
        body: &'a [u8],
    },
    /// The server sends a reliable message (or a datagram) to client `client`'s address.
    ServerSend {
        client: u8,
        reliable: bool,
        body: &'a [u8],
    },
    /// A disconnect with `code`, by the client or by the server for that client's address.
    Close {
        client: u8,
        by_server: bool,
        code: u8,
    },
    /// Client `client` starts over with a fresh endpoint (new handshake, same address).
    Restart { client: u8 },
    /// The oldest datagram on one of client `client`'s queues is lost.
    Lose { client: u8, to_server: bool },
    /// Every queued datagram is delivered once, unchanged, in order.
    Flush,
    /// Client `client` moves to address [`rebind_addr`]`(to)`, as a NAT rebinding or a phone
    /// changing network does: its datagrams come from there, and the server's reach it only
    /// there. Its endpoint carries on unaware.
    Rebind { client: u8, to: u8 },
}

impl<'a> Mutation<'a> {
    fn read(input: &mut Input<'a>) -> Self {
        match input.u8() % 5 {
            0 => Self::None,
            1 => Self::FlipBit(input.u16()),
            2 => Self::Truncate(input.u16()),
            3 => Self::Append(input.blob()),
            _ => Self::SetByte(input.u16(), input.u8()),
        }
    }

    fn apply(self, datagram: &mut Vec<u8>) {
        let len = datagram.len();
        match self {
            Self::None => {}
            Self::FlipBit(bit) => {
                if let Some(byte) = len
                    .checked_mul(8)
                    .and_then(|bits| usize::from(bit).checked_rem(bits))
                    .and_then(|b| datagram.get_mut(b / 8).map(|byte| (byte, b % 8)))
                {
                    *byte.0 ^= 1 << byte.1;
                }
            }
            Self::Truncate(n) => datagram.truncate(usize::from(n)),
            Self::Append(bytes) => datagram.extend_from_slice(bytes),
            Self::SetByte(at, value) => {
                if let Some(b) = usize::from(at)
                    .checked_rem(len)
                    .and_then(|i| datagram.get_mut(i))
                {
                    *b = value;
                }
            }
        }
    }
}

impl<'a> Op<'a> {
    /// Read one operation (inputs that end early read as zeros).
    pub fn read(input: &mut Input<'a>) -> Self {
        match input.u8() % OP_COUNT {
            0 => Self::Raw {
                source: input.u8(),
                datagram: input.blob(),
            },
            1 => Self::ToServer {
                client: input.u8(),
                pick: input.u8(),
                mutation: Mutation::read(input),
            },
            2 => Self::ToClient {
                client: input.u8(),
                pick: input.u8(),
                mutation: Mutation::read(input),
            },
            3 => Self::Replay {
                index: input.u8(),
                to_server: input.bool(),
                source: input.u8(),
            },
            4 => Self::Advance {
                millis: input.u16(),
            },
            5 => Self::ClientSend {
                client: input.u8(),
                reliable: input.bool(),
                body: input.blob(),
            },
            6 => Self::ServerSend {
                client: input.u8(),
                reliable: input.bool(),
                body: input.blob(),
            },
            7 => Self::Close {
                client: input.u8(),
                by_server: input.bool(),
                code: input.u8(),
            },
            8 => Self::Restart { client: input.u8() },
            9 => Self::Lose {
                client: input.u8(),
                to_server: input.bool(),
            },
            10 => Self::Flush,
            _ => Self::Rebind {
                client: input.u8(),
                to: input.u8(),
            },
        }
    }
}

fn client_of(c: u8) -> usize {
    usize::from(c) % CLIENTS
}

impl Sim {
    /// Apply one operation.
    pub fn apply(&mut self, op: Op<'_>) {
        match op {
            Op::Raw { source, datagram } => match self.focus {
                Focus::Server => self.deliver_to_server(source_addr(source.into()), datagram),
                Focus::Client => {
                    let from = match usize::from(source) % super::SOURCES {
                        0 => server_addr(),
                        s => source_addr(s),
                    };
                    self.deliver_to_client(0, from, datagram);
                }
            },
            Op::ToServer {
                client,
                pick,
                mutation,
            } => {
                let c = client_of(client);
                if let Some(mut d) = self.take(c, true, pick) {
                    mutation.apply(&mut d);
                    self.deliver_to_server(self.addr_of(c), &d);
                }
            }
            Op::ToClient {
                client,
                pick,
                mutation,
            } => {
                let c = client_of(client);
                if let Some(mut d) = self.take(c, false, pick) {
                    mutation.apply(&mut d);
                    self.deliver_to_client(c, server_addr(), &d);
                }
            }
            Op::Replay {
                index,
                to_server,
                source,
            } => self.replay(index, to_server, source),
            Op::Advance { millis } => self.advance(Duration::from_millis(u64::from(millis))),
            Op::ClientSend {
                client,
                reliable,
                body,
            } => self.client_send(client_of(client), reliable, body),
            Op::ServerSend {
                client,
                reliable,
                body,
            } => self.server_send(client_of(client), reliable, body),
            Op::Close {
                client,
                by_server,
                code,
            } => self.close(client_of(client), by_server, code),
            Op::Restart { client } => self.restart_client(client_of(client)),
            Op::Lose { client, to_server } => {
                self.take(client_of(client), to_server, 0);
            }
            Op::Flush => self.flush(),
            Op::Rebind { client, to } => {
                if let Some(slot) = self.clients.get_mut(client_of(client)) {
                    slot.addr = rebind_addr(usize::from(to));
                }
            }
        }
    }

    /// Remove datagram `pick` (modulo the length) from one of client `c`'s queues.
    fn take(&mut self, c: usize, to_server: bool, pick: u8) -> Option<Vec<u8>> {
        let slot = self.clients.get_mut(c)?;
        let queue = if to_server {
            &mut slot.to_server
        } else {
            &mut slot.to_client
        };
        let i = usize::from(pick).checked_rem(queue.len())?;
        queue.remove(i)
    }

    fn replay(&mut self, index: u8, to_server: bool, source: u8) {
        let Some(d) = usize::from(index)
            .checked_rem(self.history.len())
            .and_then(|i| self.history.get(i))
            .cloned()
        else {
            return;
        };
        if to_server {
            self.deliver_to_server(source_addr(source.into()), &d);
        } else {
            self.deliver_to_client(client_of(source), server_addr(), &d);
        }
    }

    fn client_send(&mut self, c: usize, reliable: bool, body: &[u8]) {
        let now = self.now;
        let Some(ep) = self.clients.get_mut(c).and_then(|s| s.endpoint.as_mut()) else {
            return;
        };
        let sent = if reliable {
            ep.send_reliable(now, server_addr(), body)
        } else {
            ep.send_datagram(now, server_addr(), body)
        };
        if sent.is_ok() {
            self.sent_by_clients.insert(body.to_vec());
        }
        self.drain_client(c);
    }

    /// Client `c`'s address now.
    fn addr_of(&self, c: usize) -> SocketAddr {
        self.clients
            .get(c)
            .map_or_else(|| source_addr(c), |slot| slot.addr)
    }

    /// The address the server knows client `c`'s connection by.
    fn server_view_of(&self, c: usize) -> SocketAddr {
        self.clients
            .get(c)
            .map_or_else(|| source_addr(c), |slot| slot.server_view)
    }

    fn server_send(&mut self, c: usize, reliable: bool, body: &[u8]) {
        let (now, to) = (self.now, self.server_view_of(c));
        let sent = if reliable {
            self.server.send_reliable(now, to, body)
        } else {
            self.server.send_datagram(now, to, body)
        };
        if sent.is_ok() {
            self.sent_by_server.insert(body.to_vec());
        }
        self.drain_server();
    }

    fn close(&mut self, c: usize, by_server: bool, code: u8) {
        let now = self.now;
        if by_server {
            self.server.close(now, self.server_view_of(c), code);
            self.drain_server();
        } else {
            if let Some(ep) = self.clients.get_mut(c).and_then(|s| s.endpoint.as_mut()) {
                ep.close(now, server_addr(), code);
            }
            self.drain_client(c);
        }
    }

    fn flush(&mut self) {
        for c in 0..CLIENTS {
            let (up, down): (Vec<_>, Vec<_>) = match self.clients.get_mut(c) {
                Some(slot) => (
                    slot.to_server.drain(..).collect(),
                    slot.to_client.drain(..).collect(),
                ),
                None => continue,
            };
            for d in up {
                self.deliver_to_server(self.addr_of(c), &d);
            }
            for d in down {
                self.deliver_to_client(c, server_addr(), &d);
            }
        }
    }
}
