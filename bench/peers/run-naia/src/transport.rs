//! naia's transport traits over std UDP sockets on 127.0.0.1 (naia 0.25's own UDP transport
//! cannot be used: see bench/peers/README.md). Game traffic is real UDP through the harness's
//! relay; only the identity exchange before it, which naia's transports do out of band (HTTP
//! in its UDP transport), goes through an in-process hub keyed by the client's address.

use naia_shared::IdentityToken;
use std::collections::{HashMap, VecDeque};
use std::io::ErrorKind;
use std::net::{SocketAddr, UdpSocket};
use std::sync::{Arc, Mutex};

#[derive(Debug, Default)]
struct HubState {
    requests: VecDeque<(SocketAddr, Vec<u8>)>,
    /// The server's answer per client: a token, or `None` when refused.
    answers: HashMap<SocketAddr, Option<IdentityToken>>,
}

/// The out-of-band identity exchange shared by the server and its clients.
#[derive(Debug, Clone, Default)]
pub struct Hub(Arc<Mutex<HubState>>);

impl Hub {
    fn with<T>(&self, f: impl FnOnce(&mut HubState) -> T) -> Option<T> {
        self.0.lock().ok().map(|mut s| f(&mut s))
    }
}

fn recv(udp: &UdpSocket, buf: &mut [u8]) -> Result<Option<(usize, SocketAddr)>, ()> {
    match udp.recv_from(buf) {
        Ok((n, from)) => Ok(Some((n, from))),
        Err(e) if e.kind() == ErrorKind::WouldBlock => Ok(None),
        Err(_) => Err(()),
    }
}

pub mod server {
    use super::*;
    use naia_server::transport as t;

    /// The server's socket (bound and non-blocking, from the driver).
    #[derive(Debug)]
    pub struct Socket {
        udp: Arc<UdpSocket>,
        hub: Hub,
    }

    impl Socket {
        pub fn new(udp: UdpSocket, hub: Hub) -> Self {
            Self {
                udp: Arc::new(udp),
                hub,
            }
        }
    }

    impl From<Socket> for Box<dyn t::Socket> {
        fn from(s: Socket) -> Self {
            Box::new(s)
        }
    }

    impl t::Socket for Socket {
        fn listen(self: Box<Self>) -> t::ListenResult {
            (
                Box::new(Answers(self.hub.clone())),
                Box::new(Requests {
                    hub: self.hub.clone(),
                    buf: Vec::new(),
                }),
                Box::new(Sender(self.udp.clone())),
                Box::new(Receiver {
                    udp: self.udp.clone(),
                    buf: vec![0; 2048],
                }),
            )
        }
    }

    struct Answers(Hub);
    impl t::AuthSender for Answers {
        fn accept(&self, to: &SocketAddr, token: &IdentityToken) -> Result<(), t::SendError> {
            self.0
                .with(|s| s.answers.insert(*to, Some(token.clone())))
                .map(|_| ())
                .ok_or(t::SendError)
        }

        fn reject(&self, to: &SocketAddr) -> Result<(), t::SendError> {
            self.0
                .with(|s| s.answers.insert(*to, None))
                .map(|_| ())
                .ok_or(t::SendError)
        }
    }

    #[derive(Clone)]
    struct Requests {
        hub: Hub,
        buf: Vec<u8>,
    }
    impl t::AuthReceiver for Requests {
        fn receive(&mut self) -> Result<Option<(SocketAddr, &[u8])>, t::RecvError> {
            match self.hub.with(|s| s.requests.pop_front()) {
                Some(Some((from, bytes))) => {
                    self.buf = bytes;
                    Ok(Some((from, &self.buf)))
                }
                Some(None) => Ok(None),
                None => Err(t::RecvError),
            }
        }
    }

    #[derive(Clone)]
    struct Sender(Arc<UdpSocket>);
    impl t::PacketSender for Sender {
        fn send(&self, to: &SocketAddr, payload: &[u8]) -> Result<(), t::SendError> {
            self.0
                .send_to(payload, to)
                .map(|_| ())
                .map_err(|_| t::SendError)
        }
    }

    #[derive(Clone)]
    struct Receiver {
        udp: Arc<UdpSocket>,
        buf: Vec<u8>,
    }
    impl t::PacketReceiver for Receiver {
        fn receive(&mut self) -> Result<Option<(SocketAddr, &[u8])>, t::RecvError> {
            match recv(&self.udp, &mut self.buf) {
                Ok(Some((n, from))) => Ok(Some((from, &self.buf[..n]))),
                Ok(None) => Ok(None),
                Err(()) => Err(t::RecvError),
            }
        }
    }
}

pub mod client {
    use super::*;
    use naia_client::transport as t;

    type Connected = (
        Box<dyn t::IdentityReceiver>,
        Box<dyn t::PacketSender>,
        Box<dyn t::PacketReceiver>,
    );

    /// A client's socket on 127.0.0.1, sending to `server` (its relay).
    #[derive(Debug)]
    pub struct Socket {
        udp: Arc<UdpSocket>,
        server: SocketAddr,
        hub: Hub,
    }

    impl Socket {
        pub fn new(server: SocketAddr, hub: Hub) -> std::io::Result<Self> {
            let udp = UdpSocket::bind("127.0.0.1:0")?;
            udp.set_nonblocking(true)?;
            Ok(Self {
                udp: Arc::new(udp),
                server,
                hub,
            })
        }

        fn open(&self, auth: Vec<u8>) -> Connected {
            // The hub's key: the client's own address (unique on loopback). A socket that has
            // no address cannot get an answer and stays connecting; the driver then times out.
            let me = self
                .udp
                .local_addr()
                .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
            let _ = self.hub.with(|s| s.requests.push_back((me, auth)));
            (
                Box::new(Answer {
                    hub: self.hub.clone(),
                    me,
                }),
                Box::new(Sender {
                    udp: self.udp.clone(),
                    server: self.server,
                }),
                Box::new(Receiver {
                    udp: self.udp.clone(),
                    server: self.server,
                    buf: vec![0; 2048],
                }),
            )
        }
    }

    impl From<Socket> for Box<dyn t::Socket> {
        fn from(s: Socket) -> Self {
            Box::new(s)
        }
    }

    impl t::Socket for Socket {
        fn connect(self: Box<Self>) -> Connected {
            self.open(Vec::new())
        }

        fn connect_with_auth(self: Box<Self>, auth: Vec<u8>) -> Connected {
            self.open(auth)
        }

        fn connect_with_auth_headers(self: Box<Self>, _: Vec<(String, String)>) -> Connected {
            self.open(Vec::new())
        }

        fn connect_with_auth_and_headers(
            self: Box<Self>,
            auth: Vec<u8>,
            _: Vec<(String, String)>,
        ) -> Connected {
            self.open(auth)
        }
    }

    #[derive(Clone)]
    struct Answer {
        hub: Hub,
        me: SocketAddr,
    }
    impl t::IdentityReceiver for Answer {
        fn receive(&mut self) -> t::IdentityReceiverResult {
            match self.hub.with(|s| s.answers.remove(&self.me)) {
                Some(Some(Some(token))) => t::IdentityReceiverResult::Success(token),
                Some(Some(None)) => t::IdentityReceiverResult::ErrorResponseCode(401),
                _ => t::IdentityReceiverResult::Waiting,
            }
        }
    }

    struct Sender {
        udp: Arc<UdpSocket>,
        server: SocketAddr,
    }
    impl t::PacketSender for Sender {
        fn send(&self, payload: &[u8]) -> Result<(), t::SendError> {
            self.udp
                .send_to(payload, self.server)
                .map(|_| ())
                .map_err(|_| t::SendError)
        }

        fn server_addr(&self) -> t::ServerAddr {
            t::ServerAddr::Found(self.server)
        }
    }

    #[derive(Clone)]
    struct Receiver {
        udp: Arc<UdpSocket>,
        server: SocketAddr,
        buf: Vec<u8>,
    }
    impl t::PacketReceiver for Receiver {
        fn receive(&mut self) -> Result<Option<&[u8]>, t::RecvError> {
            match recv(&self.udp, &mut self.buf) {
                Ok(Some((n, _))) => Ok(Some(&self.buf[..n])),
                Ok(None) => Ok(None),
                Err(()) => Err(t::RecvError),
            }
        }

        fn server_addr(&self) -> t::ServerAddr {
            t::ServerAddr::Found(self.server)
        }
    }
}
