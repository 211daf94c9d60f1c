//! Every transition documented in `netcore/STATES.md` holds: each table row is parsed, the
//! machine is put in the row's `from` state, the event is applied, and the `to` state and the
//! action are checked. A row without a step here (or a step without its row) fails.

#![allow(clippy::unwrap_used)]

use starlane_netcore::proto::conn::body::CHANNEL_FRAMES;
use starlane_netcore::proto::conn::{
    CLOSE_LINGER, CloseCause, ConnConfig, ConnEvent, ConnState, Connection, codes,
};
use starlane_netcore::proto::drops::DropReason;
use starlane_netcore::proto::endpoint::{Endpoint, EndpointConfig, EndpointEvent};
use starlane_netcore::proto::handshake::{ClientState, generate_keypair};
use starlane_netcore::proto::packet::{CLIENT_NONCE_LEN, COOKIE_LEN, PacketType};
use starlane_netcore::proto::session::Session;
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

const DOC: &str = include_str!("../STATES.md");

#[path = "state_machine_doc_roaming.rs"]
mod roaming;

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn server_addr() -> SocketAddr {
    addr("10.0.0.1:4434")
}

fn client_addr() -> SocketAddr {
    addr("10.0.0.2:5000")
}

/// `(machine, from, event, to)` of every documented transition.
fn rows() -> Vec<[String; 4]> {
    DOC.lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            match cells.as_slice() {
                [
                    "",
                    m @ ("client" | "server" | "roaming" | "connection"),
                    from,
                    ev,
                    to,
                    _action,
                    "",
                ] => Some([*m, *from, *ev, *to].map(str::to_string)),
                _ => None,
            }
        })
        .collect()
}

/// A server and a client endpoint, the client's hello sent.
struct Hs {
    now: Instant,
    server: Endpoint,
    client: Endpoint,
    public: [u8; 32],
}

impl Hs {
    fn new(cfg: EndpointConfig) -> Hs {
        let (private, public) = generate_keypair();
        let now = Instant::now();
        let server = Endpoint::server(private, cfg.clone());
        let client = Endpoint::client(now, server_addr(), public, cfg).unwrap();
        Hs {
            now,
            server,
            client,
            public,
        }
    }
    fn take_client(&mut self) -> Vec<u8> {
        self.client.poll_transmit(self.now).unwrap().1
    }
    fn take_server(&mut self) -> Option<Vec<u8>> {
        self.server.poll_transmit(self.now).map(|(_, d)| d)
    }
    /// Hello -> cookie; returns the cookie packet.
    fn cookie(&mut self) -> Vec<u8> {
        let hello = self.take_client();
        self.server.handle_datagram(self.now, client_addr(), &hello);
        self.take_server().unwrap()
    }
    /// Hello -> cookie -> client; returns the init.
    fn init(&mut self) -> Vec<u8> {
        let cookie = self.cookie();
        self.client
            .handle_datagram(self.now, server_addr(), &cookie);
        self.take_client()
    }
    fn client_state(&self) -> String {
        format!("{:?}", self.client.client_state().unwrap())
    }
    fn server_state(&self) -> String {
        self.server
            .connection_state(client_addr())
            .map_or("None".to_string(), |s| format!("{s:?}"))
    }
    fn client_drops(&self, r: DropReason) -> u64 {
        self.client.drops().get(r)
    }
    fn server_drops(&self, r: DropReason) -> u64 {
        self.server.drops().get(r)
    }
}

fn client_row(from: &str, event: &str) -> String {
    let cfg = EndpointConfig::default();
    let mut hs = Hs::new(cfg.clone());
    // The packet the client sent last (hello, or init).
    let before = if from == "AwaitResponse" {
        Some(hs.init())
    } else {
        hs.take_client_pending()
    };
    assert_eq!(hs.client_state(), from);
    match event {
        "cookie for our nonce" => {
            let cookie = hs.cookie_for_pending_hello(before);
            hs.client.handle_datagram(hs.now, server_addr(), &cookie);
            let init = hs.take_client();
            assert_eq!(init[0], PacketType::Init as u8);
            assert_eq!(
                &init[2 + CLIENT_NONCE_LEN..][..COOKIE_LEN],
                &cookie[1 + CLIENT_NONCE_LEN..]
            );
        }
        "cookie for another nonce" => {
            let mut other = Endpoint::client(hs.now, server_addr(), hs.public, cfg).unwrap();
            let hello = other.poll_transmit(hs.now).unwrap().1;
            hs.server.handle_datagram(hs.now, client_addr(), &hello);
            let cookie = hs.take_server().unwrap();
            hs.client.handle_datagram(hs.now, server_addr(), &cookie);
            assert_eq!(hs.client_drops(DropReason::BadCookie), 1);
        }
        "resend timer" => {
            let last = before.unwrap();
            let at = hs.client.poll_timeout().unwrap();
            hs.client.handle_timeout(at);
            assert_eq!(
                hs.client.poll_transmit(at).unwrap().1,
                last,
                "the same packet again"
            );
        }
        "deadline" => {
            hs.client.handle_timeout(hs.now + cfg.handshake.timeout);
            assert!(matches!(
                hs.client.poll_event(),
                Some(EndpointEvent::ConnectFailed(_))
            ));
        }
        "valid response" => {
            let init = before.unwrap();
            hs.server.handle_datagram(hs.now, client_addr(), &init);
            let response = hs.take_server().unwrap();
            hs.client.handle_datagram(hs.now, server_addr(), &response);
            assert!(hs.client.is_connected(server_addr()));
        }
        "forged response" => {
            let init = before.unwrap();
            let mut forged = vec![PacketType::Response as u8];
            forged.extend((0..56u8).map(|i| i.wrapping_mul(37)));
            hs.client.handle_datagram(hs.now, server_addr(), &forged);
            assert_eq!(hs.client_drops(DropReason::HandshakeFailed), 1);
            assert_eq!(hs.take_client_pending(), None, "no new init");
            // The genuine answer to the same init still opens the session.
            hs.server.handle_datagram(hs.now, client_addr(), &init);
            let response = hs.take_server().unwrap();
            hs.client.handle_datagram(hs.now, server_addr(), &response);
            assert!(hs.client.is_connected(server_addr()));
            // Report the state right after the forgery, as the row says.
            return "AwaitResponse".to_string();
        }
        "cookie" => {
            let init = before.unwrap();
            let mut cookie = vec![PacketType::Cookie as u8];
            cookie.extend_from_slice(&init[2..2 + CLIENT_NONCE_LEN + COOKIE_LEN]);
            hs.client.handle_datagram(hs.now, server_addr(), &cookie);
            assert_eq!(hs.client_drops(DropReason::HandshakeFailed), 1);
        }
        other => panic!("no step for client event {other:?}"),
    }
    hs.client_state()
}

impl Hs {
    /// The packet the client has queued (hello or init), if any.
    fn take_client_pending(&mut self) -> Option<Vec<u8>> {
        self.client.poll_transmit(self.now).map(|(_, d)| d)
    }
    /// The server's cookie for a hello already taken from the client.
    fn cookie_for_pending_hello(&mut self, hello: Option<Vec<u8>>) -> Vec<u8> {
        self.server
            .handle_datagram(self.now, client_addr(), &hello.unwrap());
        self.take_server().unwrap()
    }
}

fn server_row(from: &str, event: &str) -> String {
    let full = event.ends_with("while full");
    let cfg = EndpointConfig {
        max_peers: if full { 0 } else { 10 },
        ..EndpointConfig::default()
    };
    let mut hs = Hs::new(cfg.clone());
    let mut first_response = None;
    let init = hs.init();
    if from == "Open" {
        hs.server.handle_datagram(hs.now, client_addr(), &init);
        first_response = hs.take_server();
    }
    assert_eq!(hs.server_state(), from);
    match event {
        "hello" => {
            let mut other = Endpoint::client(hs.now, server_addr(), hs.public, cfg).unwrap();
            let hello = other.poll_transmit(hs.now).unwrap().1;
            hs.server.handle_datagram(hs.now, client_addr(), &hello);
            let answer = hs.take_server().unwrap();
            assert!(answer.len() < hello.len());
            assert_eq!(hs.take_server(), None, "exactly one answer");
            assert_eq!(hs.server.sources_tracked(), 0, "nothing held");
        }
        "init with a forged cookie" => {
            let mut forged = init.clone();
            forged[2 + CLIENT_NONCE_LEN + 5] ^= 1;
            hs.server.handle_datagram(hs.now, client_addr(), &forged);
            assert_eq!(hs.server_drops(DropReason::BadCookie), 1);
            assert_eq!(hs.take_server(), None);
        }
        "init with a cookie for another address" => {
            hs.server
                .handle_datagram(hs.now, addr("10.0.0.3:5000"), &init);
            assert_eq!(hs.server_drops(DropReason::BadCookie), 1);
            assert_eq!(hs.server.connection_state(addr("10.0.0.3:5000")), None);
        }
        "init with a valid cookie" | "init with a valid cookie while full" => {
            hs.server.handle_datagram(hs.now, client_addr(), &init);
            if full {
                assert_eq!(hs.server_drops(DropReason::ServerFull), 1);
            } else {
                assert_eq!(hs.take_server().unwrap()[0], PacketType::Response as u8);
            }
        }
        "data" => {
            let mut d = vec![PacketType::Data as u8];
            d.extend_from_slice(&[0u8; 40]);
            hs.server.handle_datagram(hs.now, client_addr(), &d);
            assert_eq!(hs.server_drops(DropReason::UnknownPeer), 1);
        }
        "the same init again" => {
            hs.server.handle_datagram(hs.now, client_addr(), &init);
            assert_eq!(hs.take_server(), first_response, "the cached response");
        }
        "the init of a connection that closed" => {
            hs.server.handle_datagram(hs.now, client_addr(), &init);
            let _ = hs.take_server();
            assert!(hs.server.close(hs.now, client_addr(), 0));
            while hs.take_server().is_some() {}
            assert_eq!(hs.server_state(), "None");
            hs.server.handle_datagram(hs.now, client_addr(), &init);
            assert_eq!(hs.server_drops(DropReason::Replayed), 1);
            assert_eq!(hs.take_server(), None);
        }
        "a different init" => {
            let mut other = Endpoint::client(hs.now, server_addr(), hs.public, cfg).unwrap();
            let hello = other.poll_transmit(hs.now).unwrap().1;
            hs.server.handle_datagram(hs.now, client_addr(), &hello);
            let cookie = hs.take_server().unwrap();
            other.handle_datagram(hs.now, server_addr(), &cookie);
            let init2 = other.poll_transmit(hs.now).unwrap().1;
            hs.server.handle_datagram(hs.now, client_addr(), &init2);
            assert_eq!(hs.server_drops(DropReason::HandshakeForLivePeer), 1);
        }
        other => panic!("no step for server event {other:?}"),
    }
    hs.server_state()
}

/// Two connections over sessions with known keys, so a test can forge authentic packets.
struct Pair {
    now: Instant,
    a: Connection,
    b: Connection,
}

fn sessions() -> (Session, Session, Session) {
    let (k1, k2) = ([1u8; 32], [2u8; 32]);
    let a = Session::new(&mut k1.clone(), &mut k2.clone()).unwrap();
    let b = Session::new(&mut k2.clone(), &mut k1.clone()).unwrap();
    // A second copy of b's sending side, to forge what b would send.
    let forger = Session::new(&mut k2.clone(), &mut k1.clone()).unwrap();
    (a, b, forger)
}

impl Pair {
    fn new() -> (Pair, Session) {
        let now = Instant::now();
        let (sa, sb, forger) = sessions();
        let cfg = ConnConfig::default();
        let a = Connection::new(now, server_addr(), sa, cfg, None);
        let b = Connection::new(now, client_addr(), sb, cfg, None);
        (Pair { now, a, b }, forger)
    }
    fn a_to_b(&mut self) -> usize {
        let mut n = 0;
        while let Some(d) = self.a.poll_transmit(self.now) {
            let _ = self.b.handle_packet(self.now, &d);
            n += 1;
        }
        n
    }
    fn b_to_a(&mut self) -> usize {
        let mut n = 0;
        while let Some(d) = self.b.poll_transmit(self.now) {
            let _ = self.a.handle_packet(self.now, &d);
            n += 1;
        }
        n
    }
    fn a_transmits(&mut self) -> Vec<Vec<u8>> {
        std::iter::from_fn(|| self.a.poll_transmit(self.now)).collect()
    }
    fn a_events(&mut self) -> Vec<ConnEvent> {
        std::iter::from_fn(|| self.a.poll_event()).collect()
    }
    fn b_events(&mut self) -> Vec<ConnEvent> {
        std::iter::from_fn(|| self.b.poll_event()).collect()
    }
}

fn disconnects(ds: &[Vec<u8>]) -> usize {
    ds.iter()
        .filter(|d| d[0] == PacketType::Disconnect as u8)
        .count()
}

/// A frames body (channel byte 0) whose frames do not parse (kind 99).
fn malformed_body() -> Vec<u8> {
    vec![CHANNEL_FRAMES, 99, 1, 2]
}

fn connection_row(from: &str, event: &str) -> String {
    let (mut p, mut forger) = Pair::new();
    // Let the first pings cross so both sides have talked.
    p.a_to_b();
    p.b_to_a();
    if from == "Closing" {
        p.a.send_reliable(b"last words").unwrap();
        assert!(
            p.a.poll_transmit(p.now).is_some(),
            "sent, not yet delivered"
        );
        p.a.close(p.now, 7);
    }
    assert_eq!(format!("{:?}", p.a.state()), from);
    match event {
        "authenticated data" => {
            p.b.send_reliable(b"move").unwrap();
            p.b_to_a();
            assert!(p.a_events().contains(&ConnEvent::Message(b"move".to_vec())));
            assert!(p.a_to_b() > 0, "an acknowledgement goes back");
        }
        "tampered packet" | "replayed packet" => {
            p.b.send_reliable(b"x").unwrap();
            let d = p.b.poll_transmit(p.now).unwrap();
            if event == "tampered packet" {
                let mut t = d.clone();
                t[12] ^= 0x40;
                assert_eq!(p.a.handle_packet(p.now, &t), Err(DropReason::Decrypt));
                assert_eq!(p.a.handle_packet(p.now, &d), Ok(()), "window unchanged");
            } else {
                assert_eq!(p.a.handle_packet(p.now, &d), Ok(()));
                assert_eq!(p.a.handle_packet(p.now, &d), Err(DropReason::Replayed));
            }
        }
        "close with nothing unacknowledged" => {
            p.a.close(p.now, 7);
            assert_eq!(disconnects(&p.a_transmits()), 2);
            assert!(!p.a.has_keys());
        }
        "close with messages unacknowledged" => {
            p.a.send_reliable(b"pending").unwrap();
            let _ = p.a.poll_transmit(p.now);
            p.a.close(p.now, 7);
            assert!(
                p.a.send_reliable(b"more").is_err(),
                "no new sends while closing"
            );
            assert!(p.a.has_keys());
        }
        "everything acknowledged" => {
            // The first copy was lost; the resend arrives and is acknowledged.
            p.now += Duration::from_secs(1);
            p.a.handle_timeout(p.now);
            p.a_to_b();
            p.b_to_a();
            assert_eq!(disconnects(&p.a_transmits()), 2);
            assert!(!p.a.has_keys());
        }
        "linger deadline" => {
            p.now += CLOSE_LINGER;
            p.a.handle_timeout(p.now);
            assert_eq!(disconnects(&p.a_transmits()), 2);
            assert!(!p.a.has_keys());
        }
        "close again, then linger deadline" => {
            // The application closes with a reason, then drops its link (code 0).
            p.a.close(p.now, 0);
            assert_eq!(p.a.state(), ConnState::Closing);
            p.now += CLOSE_LINGER;
            p.a.handle_timeout(p.now);
            p.a_to_b();
            assert!(
                p.b_events()
                    .contains(&ConnEvent::Closed(CloseCause::Peer(7))),
                "the first close's code reaches the peer"
            );
        }
        "peer disconnect" => {
            p.b.close(p.now, 9);
            p.b_to_a();
            assert!(
                p.a_events()
                    .contains(&ConnEvent::Closed(CloseCause::Peer(9)))
            );
            assert!(!p.a.has_keys());
        }
        "idle timeout" => {
            p.now += ConnConfig::default().idle_timeout;
            p.a.handle_timeout(p.now);
            assert!(
                p.a_events()
                    .contains(&ConnEvent::Closed(CloseCause::IdleTimeout))
            );
            assert!(!p.a.has_keys());
        }
        "malformed frames" => {
            // Forge with b's key a counter b has not used yet.
            for _ in 0..100 {
                forger.seal(PacketType::Data, b"").unwrap();
            }
            let d = forger.seal(PacketType::Data, &malformed_body()).unwrap();
            assert_eq!(p.a.handle_packet(p.now, &d), Err(DropReason::Malformed));
            let out = p.a_transmits();
            assert_eq!(disconnects(&out), 2);
            let _ = p.b.handle_packet(p.now, &out[0]);
            let ev: Vec<ConnEvent> = std::iter::from_fn(|| p.b.poll_event()).collect();
            assert!(ev.contains(&ConnEvent::Closed(CloseCause::Peer(
                codes::PROTOCOL_VIOLATION
            ))));
        }
        other => panic!("no step for connection event {other:?}"),
    }
    format!("{:?}", p.a.state())
}

#[test]
fn every_documented_transition_holds() {
    let rows = rows();
    let machines: BTreeSet<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(machines.len(), 4, "four machines documented");
    assert!(rows.len() >= 25, "{} rows", rows.len());
    for [machine, from, event, to] in &rows {
        let got = match machine.as_str() {
            "client" => client_row(from, event),
            "server" => server_row(from, event),
            "roaming" => roaming::row(from, event),
            _ => connection_row(from, event),
        };
        assert_eq!(
            &got, to,
            "{machine}: {from} --{event}--> expected {to}, got {got}"
        );
    }
    // The states named in the document are the ones the code has.
    for s in [
        ClientState::AwaitCookie,
        ClientState::AwaitResponse,
        ClientState::Established,
        ClientState::Failed,
    ] {
        assert!(DOC.contains(&format!("{s:?}")), "{s:?} undocumented");
    }
    for s in [ConnState::Open, ConnState::Closing, ConnState::Closed] {
        assert!(DOC.contains(&format!("{s:?}")), "{s:?} undocumented");
    }
    assert!(DOC.contains(&format!("({})", codes::PROTOCOL_VIOLATION)));
}
