//! Golden vectors of the encrypted UDP transport (`netcore/vectors/*.json`, format in
//! `netcore/SPEC.md`, "Golden vectors"). The implementation, run with the vectors' fixed keys
//! and nonces, produces exactly their bytes and accepts them; every derived value (address
//! bytes, MAC, Noise messages and split keys, AEAD nonce, AAD and ciphertext) is recomputed
//! here from the SPEC's formulas with ring and snow; changing any byte of a handshake or
//! session packet makes it rejected; each invalid vector is dropped with its named reason.

use crate::golden_common;

use golden_common::reference::{self, address_bytes};
use golden_common::script;
use golden_common::{REGENERATE, addr, array, bytes, flipped, load, named, num, text};
use serde_json::Value;
use starlane_netcore::proto::cookie::{CookieJar, DEFAULT_ROTATE_EVERY};
use starlane_netcore::proto::drops::DropReason;
use starlane_netcore::proto::endpoint::{Endpoint, EndpointConfig};
use starlane_netcore::proto::entropy::EntropySource;
use starlane_netcore::proto::handshake::{
    ClientEvent, ClientHandshake, ClientState, HandshakeTiming, NOISE_PARAMS, ServerHandshake,
    public_key_of,
};
use starlane_netcore::proto::packet::{PROTOCOL_VERSION, PacketType};
use starlane_netcore::proto::session::{OpenError, Session};
use std::net::SocketAddr;
use std::time::Instant;

/// The client of the handshake vectors, up to the init (hello sent, cookie not yet read):
/// its entropy yields the vectors' nonce, then their ephemeral key.
fn client(now: Instant, hs: &[Value]) -> ClientHandshake {
    let init = named(hs, "init");
    let entropy = script::client(
        array(init, "clientNonce"),
        array(init, "clientEphemeralPrivate"),
    );
    let key = array(init, "serverStaticPublic");
    ClientHandshake::new(now, key, HandshakeTiming::default(), entropy).expect("valid server key")
}

/// A jar at `epoch` whose current secret is `current` (the previous one is unrelated).
fn jar(now: Instant, epoch: u32, current: &[u8; 32]) -> CookieJar {
    script::jar_at(now, DEFAULT_ROTATE_EVERY, epoch, current, &[0xee; 32])
}

fn epoch_of(v: &Value) -> u32 {
    u32::try_from(num(v, "epoch")).expect("epoch fits u32")
}

/// The server of the handshake vectors: its entropy yields the vectors' response ephemeral
/// key for the first init it accepts.
fn server(hs: &[Value]) -> ServerHandshake {
    let response = named(hs, "response");
    let entropy = script::server(array(response, "serverEphemeralPrivate"));
    ServerHandshake::new(array(response, "serverStaticPrivate"), entropy)
}

#[test]
fn vectors_are_for_this_protocol_version() {
    let hs = load("handshake.json");
    for name in ["hello", "init"] {
        let v = named(&hs, name);
        assert_eq!(
            num(v, "version"),
            u64::from(PROTOCOL_VERSION),
            "{name}: the vectors are for another PROTOCOL_VERSION; regenerate: {REGENERATE}"
        );
        assert_eq!(bytes(v, "hex").get(1), Some(&PROTOCOL_VERSION), "{name}");
    }
}

#[test]
fn hello_encodes_and_decodes() {
    let now = Instant::now();
    let hs = load("handshake.json");
    let v = named(&hs, "hello");
    let (hex, nonce) = (bytes(v, "hex"), bytes(v, "clientNonce"));
    // Layout: type, version, nonce, zero padding to 64.
    let mut expected = vec![PacketType::Hello as u8, PROTOCOL_VERSION];
    expected.extend_from_slice(&nonce);
    expected.resize(64, 0);
    assert_eq!(hex, expected, "hello layout");
    assert_eq!(
        client(now, &hs).poll_transmit(),
        Some(hex.clone()),
        "hello encoding"
    );
    // The server reads it: its answer echoes the nonce.
    let answer = server(&hs)
        .answer_hello(
            &jar(now, 0, &[1; 32]),
            addr(named(&hs, "init"), "clientAddress"),
            &hex,
        )
        .expect("the server accepts the hello");
    assert_eq!(answer.get(1..17), Some(&nonce[..]), "decoded nonce");
}

#[test]
fn cookies_match_the_formula_and_the_jar() {
    let now = Instant::now();
    let hs = load("handshake.json");
    let hello = bytes(named(&hs, "hello"), "hex");
    for name in ["cookie_ipv4", "cookie_ipv6_previous_epoch"] {
        let v = named(&hs, name);
        let (epoch, secret) = (epoch_of(v), array::<32>(v, "cookieSecret"));
        let (from, nonce, cookie) = (
            addr(v, "clientAddress"),
            bytes(v, "clientNonce"),
            bytes(v, "cookie"),
        );
        // The formula: epoch LE || HMAC-SHA256(secret, epoch || address || nonce)[..16].
        assert_eq!(bytes(v, "addressBytes"), address_bytes(from), "{name}");
        let (input, formula) = reference::cookie(&secret, epoch, from, &nonce);
        assert_eq!((bytes(v, "macInput"), &cookie), (input, &formula), "{name}");
        let packet = [&[PacketType::Cookie as u8][..], &nonce, &cookie].concat();
        assert_eq!(bytes(v, "hex"), packet, "{name}: cookie packet layout");
        // The jar issues exactly this cookie, and answers the hello with exactly this packet.
        let j = jar(now, epoch, &secret);
        assert_eq!(
            j.issue(from, &array(v, "clientNonce")).to_vec(),
            cookie,
            "{name}"
        );
        let answer = server(&hs).answer_hello(&j, from, &hello);
        assert_eq!(answer, Ok(packet.clone()), "{name}");
        // Accepted in its epoch and the next, for this address only.
        assert!(j.verify(from, &nonce, &cookie), "{name}");
        let next = script::jar_at(now, DEFAULT_ROTATE_EVERY, epoch + 1, &[0xee; 32], &secret);
        assert!(next.verify(from, &nonce, &cookie), "{name}: previous epoch");
        assert!(
            !jar(now, epoch + 2, &secret).verify(from, &nonce, &cookie),
            "{name}: expired"
        );
        let other = SocketAddr::new(from.ip(), from.port() ^ 1);
        assert!(!j.verify(other, &nonce, &cookie), "{name}: other port");
        // The client reads it and moves on to the init.
        let mut c = client(now, &hs);
        assert_eq!(c.handle_packet(now, &packet), Ok(()), "{name}");
        assert_eq!(c.state(), ClientState::AwaitResponse, "{name}");
    }
}

#[test]
fn init_and_response_match_noise_and_the_implementation() {
    let now = Instant::now();
    let hs = load("handshake.json");
    let (init, response) = (named(&hs, "init"), named(&hs, "response"));
    let (init_hex, response_hex) = (bytes(init, "hex"), bytes(response, "hex"));
    assert_eq!(text(init, "noise"), NOISE_PARAMS);
    assert_eq!(bytes(response, "initHex"), init_hex);
    // Keys and layouts, from the SPEC.
    let public = |v: &Value, k: &str| public_key_of(&array(v, k)).to_vec();
    assert_eq!(
        public(response, "serverStaticPrivate"),
        bytes(init, "serverStaticPublic")
    );
    assert_eq!(
        public(init, "clientEphemeralPrivate"),
        bytes(init, "clientEphemeralPublic")
    );
    assert_eq!(
        public(response, "serverEphemeralPrivate"),
        bytes(response, "serverEphemeralPublic")
    );
    let nonce = bytes(init, "clientNonce");
    assert!(
        bytes(init, "prologue").ends_with(&nonce),
        "prologue ends with the nonce"
    );
    let reference::NoiseRun {
        msg1: m1,
        msg2: m2,
        keys,
    } = reference::noise(&hs);
    let layout = [
        &[PacketType::Init as u8, PROTOCOL_VERSION][..],
        &nonce,
        &bytes(init, "cookie"),
        &m1,
    ];
    assert_eq!(init_hex, layout.concat(), "init layout");
    assert_eq!(
        response_hex,
        [&[PacketType::Response as u8][..], &m2].concat()
    );
    assert_eq!(
        keys,
        (
            array(response, "clientToServerKey"),
            array(response, "serverToClientKey")
        )
    );
    assert!(m1.starts_with(&bytes(init, "clientEphemeralPublic")));
    assert!(m2.starts_with(&bytes(response, "serverEphemeralPublic")));

    // The implementation: the client's init, the server's checks and response.
    let mut c = client(now, &hs);
    let cookie = named(&hs, "cookie_ipv4");
    c.poll_transmit();
    c.handle_packet(now, &bytes(cookie, "hex"))
        .expect("cookie read");
    assert_eq!(c.poll_transmit(), Some(init_hex.clone()), "init encoding");
    let s = server(&hs);
    let j = jar(now, epoch_of(cookie), &array(cookie, "cookieSecret"));
    assert_eq!(
        s.check_init(&j, addr(init, "clientAddress"), &init_hex),
        Ok(())
    );
    let accepted = s
        .accept(&init_hex, array(response, "connectionId"))
        .expect("init accepted");
    assert_eq!(accepted.response, response_hex, "response encoding");
    assert_eq!(c.handle_packet(now, &response_hex), Ok(()));
    assert!(matches!(
        c.poll_event(),
        Some(ClientEvent::Established { .. })
    ));
}

#[test]
fn changing_any_handshake_byte_is_refused() {
    let now = Instant::now();
    let hs = load("handshake.json");
    let init_hex = bytes(named(&hs, "init"), "hex");
    let response = named(&hs, "response");
    let cookie = named(&hs, "cookie_ipv4");
    let (s, from) = (server(&hs), addr(cookie, "clientAddress"));
    let j = jar(now, epoch_of(cookie), &array(cookie, "cookieSecret"));
    // Byte 0 is the type, checked by the endpoint before the handshake sees the packet.
    for at in 1..init_hex.len() {
        let bad = flipped(&init_hex, at);
        let got = s
            .check_init(&j, from, &bad)
            .and_then(|()| s.accept(&bad, array(response, "connectionId")).map(drop));
        let want = match at {
            1 => DropReason::BadVersion,
            2..38 => DropReason::BadCookie,
            _ => DropReason::HandshakeFailed,
        };
        assert_eq!(got, Err(want), "init byte {at}");
    }
    let response_hex = bytes(response, "hex");
    for at in 1..response_hex.len() {
        let mut c = client(now, &hs);
        c.handle_packet(now, &bytes(cookie, "hex"))
            .expect("cookie read");
        let got = c.handle_packet(now, &flipped(&response_hex, at));
        assert_eq!(got, Err(DropReason::HandshakeFailed), "response byte {at}");
        assert_eq!(
            c.handle_packet(now, &response_hex),
            Ok(()),
            "the genuine one still opens"
        );
    }
}

/// The sessions of the vectors' handshake, as the implementation establishes them.
fn handshake_sessions(hs: &[Value]) -> (Session, Session) {
    let now = Instant::now();
    let mut c = client(now, hs);
    c.handle_packet(now, &bytes(named(hs, "cookie_ipv4"), "hex"))
        .expect("cookie read");
    let init = c.poll_transmit().expect("init");
    let cid = array(named(hs, "response"), "connectionId");
    let accepted = server(hs).accept(&init, cid).expect("accepted");
    c.handle_packet(now, &accepted.response)
        .expect("response read");
    match c.poll_event() {
        Some(ClientEvent::Established { session, .. }) => (session, accepted.session),
        other => panic!("not established: {other:?}"),
    }
}

/// A session from the vectors' split keys: the client's (`c2s`) or the server's.
fn keyed_session(hs: &[Value], c2s: bool) -> Session {
    let r = named(hs, "response");
    let (a, b) = (array(r, "clientToServerKey"), array(r, "serverToClientKey"));
    let cid = array(r, "connectionId");
    let (mut send, mut recv) = if c2s { (a, b) } else { (b, a) };
    let (send_cid, recv_cid) = if c2s {
        (Some(cid), None)
    } else {
        (None, Some(cid))
    };
    Session::new(&mut send, &mut recv)
        .expect("valid keys")
        .with_connection_ids(send_cid, recv_cid)
}

/// Seal `body` at `counter` (empty data packets fill the counters below it).
fn seal_at(s: &mut Session, kind: PacketType, counter: u64, body: &[u8]) -> Vec<u8> {
    assert!(
        s.sent() <= counter,
        "vectors of one direction are in counter order"
    );
    while s.sent() < counter {
        s.seal(PacketType::Data, b"").expect("filler");
    }
    s.seal(kind, body).expect("sealed")
}

#[test]
fn session_packets_seal_and_open() {
    let hs = load("handshake.json");
    let (mut client_s, mut server_s) = handshake_sessions(&hs);
    let (mut keyed_c, mut keyed_s) = (keyed_session(&hs, true), keyed_session(&hs, false));
    for v in load("session.json") {
        let name = text(&v, "name");
        let (counter, body, hex) = (num(&v, "counter"), bytes(&v, "plaintext"), bytes(&v, "hex"));
        let kind = match text(&v, "type") {
            "data" => PacketType::Data,
            "disconnect" => PacketType::Disconnect,
            other => panic!("{name}: bad type {other}"),
        };
        let c2s = text(&v, "direction") == "clientToServer";
        let r = named(&hs, "response");
        let key = if c2s {
            "clientToServerKey"
        } else {
            "serverToClientKey"
        };
        assert_eq!(
            bytes(&v, "key"),
            bytes(r, key),
            "{name}: the handshake's key"
        );
        // The connection ID is the server's, in packets to the server only.
        let cid = bytes(&v, "connectionId");
        let want_cid = if c2s {
            bytes(r, "connectionId")
        } else {
            Vec::new()
        };
        assert_eq!(cid, want_cid, "{name}: connection id");
        // The formula: nonce 0^4 || counter BE; aad type || cid || counter LE; AES-256-GCM.
        let (nonce, aad, packet) =
            reference::session_packet(&bytes(&v, "key"), kind as u8, &cid, counter, &body);
        assert_eq!(bytes(&v, "nonce"), nonce, "{name}");
        assert_eq!(bytes(&v, "aad"), aad, "{name}");
        assert_eq!(hex, packet, "{name}: formula");
        // The implementation seals exactly these bytes, from the handshake and from the keys.
        let (sender, keyed, receiver) = if c2s {
            (&mut client_s, &mut keyed_c, &mut server_s)
        } else {
            (&mut server_s, &mut keyed_s, &mut client_s)
        };
        assert_eq!(
            seal_at(sender, kind, counter, &body),
            hex,
            "{name}: handshake session"
        );
        assert_eq!(
            seal_at(keyed, kind, counter, &body),
            hex,
            "{name}: keyed session"
        );
        let opened = receiver.open(&hex).expect("opens");
        assert_eq!(
            (opened.kind, opened.counter, opened.body),
            (kind, counter, body.clone()),
            "{name}"
        );
        // Any changed byte is refused; the genuine packet still opens afterwards.
        let mut fresh = keyed_session(&hs, !c2s);
        for at in 0..hex.len() {
            let got = fresh.open(&flipped(&hex, at)).map(drop);
            let want = if at == 0 {
                OpenError::NotSessionType
            } else if (1..=cid.len()).contains(&at) {
                OpenError::UnknownConnection
            } else {
                OpenError::Decrypt
            };
            assert_eq!(got, Err(want), "{name}: byte {at}");
        }
        assert_eq!(fresh.open(&hex).map(|o| o.body), Ok(body), "{name}");
    }
}

/// An endpoint in the vector's receiving role, connected to `peer` if it names one.
fn receiver(now: Instant, hs: &[Value], v: &Value) -> Endpoint {
    let private = array(named(hs, "response"), "serverStaticPrivate");
    let public = public_key_of(&private);
    let cfg = EndpointConfig::default();
    match (text(v, "receiver"), v.get("peer").map(|_| addr(v, "peer"))) {
        ("client", Some(server)) => Endpoint::client(now, server, public, cfg).expect("client"),
        ("server", None) => Endpoint::server(private, cfg),
        ("server", Some(peer)) => {
            // A real handshake (random nonce and keys) from `peer`; the server's draws are
            // its two cookie secrets, then the connection ID: the vectors' one.
            let server_addr: SocketAddr = "192.0.2.1:4433".parse().expect("literal");
            let cid = bytes(named(hs, "response"), "connectionId");
            let entropy = EntropySource::scripted([vec![0x11; 32], vec![0x22; 32], cid]);
            let server_cfg = EndpointConfig {
                entropy,
                ..cfg.clone()
            };
            let mut s = Endpoint::server(private, server_cfg);
            let mut c = Endpoint::client(now, server_addr, public, cfg).expect("client");
            for _ in 0..4 {
                while let Some((_, d)) = c.poll_transmit(now) {
                    s.handle_datagram(now, peer, &d);
                }
                while let Some((_, d)) = s.poll_transmit(now) {
                    c.handle_datagram(now, server_addr, &d);
                }
            }
            assert!(s.is_connected(peer), "the server connected {peer}");
            assert_eq!(s.drops().total(), 0);
            s
        }
        (other, peer) => panic!("bad receiver {other} (peer {peer:?})"),
    }
}

#[test]
fn invalid_vectors_are_dropped_with_their_reason() {
    let now = Instant::now();
    let hs = load("handshake.json");
    let invalid = load("invalid.json");
    assert!(invalid.len() >= 20);
    for v in &invalid {
        let name = text(v, "name");
        let want = DropReason::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == text(v, "error"))
            .unwrap_or_else(|| panic!("{name}: unknown drop reason"));
        let mut ep = receiver(now, &hs, v);
        ep.handle_datagram(now, addr(v, "from"), &bytes(v, "hex"));
        let drops = ep.drops();
        assert_eq!(
            (drops.get(want), drops.total()),
            (1, 1),
            "{name}: {drops:?}"
        );
    }
}

#[test]
fn vector_names_are_unique() {
    for file in ["handshake.json", "session.json", "invalid.json"] {
        let mut names = std::collections::BTreeSet::new();
        for v in load(file) {
            assert!(
                names.insert(text(&v, "name").to_owned()),
                "{file}: duplicate name"
            );
        }
    }
}
