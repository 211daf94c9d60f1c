//! Writes the golden vectors of the encrypted UDP transport,
//! `netcore/vectors/{handshake,session,invalid}.json` (format: `netcore/SPEC.md`, "Golden
//! vectors"), by running the implementation with fixed keys, nonces and cookie secrets. The
//! files are frozen in the repository and checked by `tests/udp_golden_vectors.rs`; run this
//! only when the wire format changes on purpose (for example a `PROTOCOL_VERSION` bump):
//!
//! ```text
//! cargo run -p starlane-netcore --example gen_udp_vectors [OUT_DIR]
//! ```

mod invalid;
#[path = "../../tests/golden_common/script.rs"]
mod script;

use serde_json::{Value, json};
use starlane_netcore::proto::cookie::{CookieJar, DEFAULT_ROTATE_EVERY};
use starlane_netcore::proto::entropy::EntropySource;
use starlane_netcore::proto::handshake::{
    ClientEvent, ClientHandshake, HandshakeTiming, NOISE_PARAMS, ServerHandshake, public_key_of,
};
use starlane_netcore::proto::packet::{PROTOCOL_VERSION, PacketType};
use starlane_netcore::proto::session::Session;
use starlane_netcore::proto::x25519::resolver;
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

pub type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// `N` bytes counting up from `start`: recognisable in a hex dump.
const fn counting<const N: usize>(start: u8) -> [u8; N] {
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        out[i] = start + i as u8;
        i += 1;
    }
    out
}

const SERVER_STATIC: [u8; 32] = counting(0x00);
const CLIENT_EPHEMERAL: [u8; 32] = counting(0x20);
const SERVER_EPHEMERAL: [u8; 32] = counting(0x40);
const COOKIE_SECRET: [u8; 32] = counting(0x60);
const PREVIOUS_SECRET: [u8; 32] = counting(0x80);
const CLIENT_NONCE: [u8; 16] = counting(0xa0);
/// The connection ID the server chose (the response's payload).
pub const SERVER_CID: [u8; 8] = counting(0xc0);
/// The rotation slot of the server's cookie jar (0x0102: shows the little-endian order).
const EPOCH: u32 = 258;
pub const CLIENT_V4: &str = "203.0.113.7:40000";
const CLIENT_V6: &str = "[2001:db8::7]:40001";
/// Where the client of the client-side invalid vectors believes the server is.
pub const SERVER_ADDR: &str = "198.51.100.1:4433";

fn err(reason: starlane_netcore::proto::drops::DropReason) -> Box<dyn std::error::Error> {
    format!("the implementation dropped a vector: {}", reason.as_str()).into()
}

fn addr(s: &str) -> Res<SocketAddr> {
    Ok(s.parse()?)
}

/// The 18 address bytes the cookie MAC covers (IPv4 as mapped IPv6, port LE).
fn address_bytes(a: SocketAddr) -> Vec<u8> {
    let ip = match a.ip() {
        IpAddr::V4(v4) => v4.to_ipv6_mapped(),
        IpAddr::V6(v6) => v6,
    };
    [&ip.octets()[..], &a.port().to_le_bytes()].concat()
}

/// The handshake packets of one run, its prologue, the raw split keys (client to server
/// first) and both sessions.
#[derive(Debug)]
pub struct Run {
    pub hello: Vec<u8>,
    pub cookie_packet: Vec<u8>,
    pub init: Vec<u8>,
    pub response: Vec<u8>,
    prologue: Vec<u8>,
    keys: ([u8; 32], [u8; 32]),
    client: Session,
    server: Session,
}

/// A snow initiator and responder with the fixed keys (each side's one random draw is its
/// ephemeral key).
fn noise_pair(prologue: &[u8]) -> Res<(snow::HandshakeState, snow::HandshakeState)> {
    let server_public = public_key_of(&SERVER_STATIC);
    let entropy = |key: [u8; 32]| resolver(EntropySource::scripted([key.to_vec()]));
    let i = snow::Builder::with_resolver(NOISE_PARAMS.parse()?, entropy(CLIENT_EPHEMERAL))
        .prologue(prologue)?
        .remote_public_key(&server_public)?
        .build_initiator()?;
    let r = snow::Builder::with_resolver(NOISE_PARAMS.parse()?, entropy(SERVER_EPHEMERAL))
        .prologue(prologue)?
        .local_private_key(&SERVER_STATIC)?
        .build_responder()?;
    Ok((i, r))
}

/// The prologue the implementation used for `init_msg` (Noise message 1), and Noise's raw
/// split, from snow directly: a session never hands out its keys. The prologue prefix is
/// private to `handshake.rs`; it names a protocol version, so the versions are tried.
#[allow(clippy::type_complexity)]
fn prologue_and_keys(init_msg: &[u8]) -> Res<(Vec<u8>, ([u8; 32], [u8; 32]))> {
    for version in (1..=PROTOCOL_VERSION).rev() {
        let prologue = [format!("starlane-udp v{version}").as_bytes(), &CLIENT_NONCE].concat();
        let (mut i, mut r) = noise_pair(&prologue)?;
        let (mut m1, mut m2, mut out) = ([0u8; 64], [0u8; 64], [0u8; 64]);
        let n1 = i.write_message(&[], &mut m1)?;
        if m1.get(..n1) != Some(init_msg) {
            continue;
        }
        r.read_message(&m1[..n1], &mut out)?;
        let n2 = r.write_message(&[], &mut m2)?;
        i.read_message(&m2[..n2], &mut out)?;
        return Ok((prologue, i.dangerously_get_raw_split()));
    }
    Err("no \"starlane-udp vN\" prologue reproduces the init: update gen_udp_vectors".into())
}

fn handshake(now: Instant) -> Res<Run> {
    let server = ServerHandshake::new(SERVER_STATIC, script::server(SERVER_EPHEMERAL));
    let timing = HandshakeTiming::default();
    let entropy = script::client(CLIENT_NONCE, CLIENT_EPHEMERAL);
    let mut client = ClientHandshake::new(now, server.public_key(), timing, entropy)?;
    let hello = client.poll_transmit().ok_or("no hello")?;
    let jar = jar_at(now, EPOCH)?;
    let cookie_packet = server
        .answer_hello(&jar, addr(CLIENT_V4)?, &hello)
        .map_err(err)?;
    client.handle_packet(now, &cookie_packet).map_err(err)?;
    let init = client.poll_transmit().ok_or("no init")?;
    server
        .check_init(&jar, addr(CLIENT_V4)?, &init)
        .map_err(err)?;
    let accepted = server.accept(&init, SERVER_CID).map_err(err)?;
    client.handle_packet(now, &accepted.response).map_err(err)?;
    let Some(ClientEvent::Established { session, .. }) = client.poll_event() else {
        return Err("the client did not establish".into());
    };
    let (prologue, keys) = prologue_and_keys(init.get(38..).ok_or("short init")?)?;
    Ok(Run {
        hello,
        cookie_packet,
        init,
        response: accepted.response,
        prologue,
        keys,
        client: session,
        server: accepted.session,
    })
}

/// A jar at `epoch` whose current secret is `COOKIE_SECRET` (and `PREVIOUS_SECRET` before).
fn jar_at(now: Instant, epoch: u32) -> Res<CookieJar> {
    Ok(script::jar_at(
        now,
        DEFAULT_ROTATE_EVERY,
        epoch,
        &COOKIE_SECRET,
        &PREVIOUS_SECRET,
    ))
}

fn cookie_vector(name: &str, jar: &CookieJar, epoch: u32, secret: &[u8], a: &str) -> Res<Value> {
    let address = addr(a)?;
    let cookie = jar.issue(address, &CLIENT_NONCE);
    let mac_input = [
        &epoch.to_le_bytes()[..],
        &address_bytes(address),
        &CLIENT_NONCE,
    ]
    .concat();
    let packet = [&[PacketType::Cookie as u8][..], &CLIENT_NONCE, &cookie].concat();
    Ok(json!({
        "name": name, "type": "cookie", "cookieSecret": hex::encode(secret), "epoch": epoch,
        "clientAddress": a, "addressBytes": hex::encode(address_bytes(address)),
        "clientNonce": hex::encode(CLIENT_NONCE), "macInput": hex::encode(mac_input),
        "cookie": hex::encode(cookie), "hex": hex::encode(packet),
    }))
}

fn handshake_vectors(now: Instant, run: &Run) -> Res<Vec<Value>> {
    let prologue = &run.prologue;
    let cookie = run.cookie_packet.get(17..).ok_or("short cookie packet")?;
    // A cookie of the previous epoch, as the jar issued it then: still accepted at EPOCH.
    let previous = script::jar_at(
        now,
        DEFAULT_ROTATE_EVERY,
        EPOCH - 1,
        &PREVIOUS_SECRET,
        &COOKIE_SECRET,
    );
    Ok(vec![
        json!({
            "name": "hello", "type": "hello", "version": PROTOCOL_VERSION,
            "clientNonce": hex::encode(CLIENT_NONCE), "hex": hex::encode(&run.hello),
        }),
        cookie_vector(
            "cookie_ipv4",
            &jar_at(now, EPOCH)?,
            EPOCH,
            &COOKIE_SECRET,
            CLIENT_V4,
        )?,
        cookie_vector(
            "cookie_ipv6_previous_epoch",
            &previous,
            EPOCH - 1,
            &PREVIOUS_SECRET,
            CLIENT_V6,
        )?,
        json!({
            "name": "init", "type": "init", "version": PROTOCOL_VERSION,
            "noise": NOISE_PARAMS, "prologue": hex::encode(prologue),
            "clientNonce": hex::encode(CLIENT_NONCE), "cookie": hex::encode(cookie),
            "clientAddress": CLIENT_V4,
            "serverStaticPublic": hex::encode(public_key_of(&SERVER_STATIC)),
            "clientEphemeralPrivate": hex::encode(CLIENT_EPHEMERAL),
            "clientEphemeralPublic": hex::encode(public_key_of(&CLIENT_EPHEMERAL)),
            "hex": hex::encode(&run.init),
        }),
        json!({
            "name": "response", "type": "response", "initHex": hex::encode(&run.init),
            "serverStaticPrivate": hex::encode(SERVER_STATIC),
            "serverEphemeralPrivate": hex::encode(SERVER_EPHEMERAL),
            "serverEphemeralPublic": hex::encode(public_key_of(&SERVER_EPHEMERAL)),
            "connectionId": hex::encode(SERVER_CID),
            "clientToServerKey": hex::encode(run.keys.0),
            "serverToClientKey": hex::encode(run.keys.1),
            "hex": hex::encode(&run.response),
        }),
    ])
}

/// `(name, type, client_to_server, counter, body)` of each session vector; counters grow
/// in each direction.
const SESSION_CASES: &[(&str, PacketType, bool, u64, &[u8])] = &[
    (
        "data_client_to_server_0",
        PacketType::Data,
        true,
        0,
        b"starlane golden vector: client to server",
    ),
    (
        "data_server_to_client_0",
        PacketType::Data,
        false,
        0,
        b"starlane golden vector: server to client",
    ),
    (
        "disconnect_server_to_client_1_shutdown",
        PacketType::Disconnect,
        false,
        1,
        &[253],
    ),
    (
        "data_client_to_server_258_empty",
        PacketType::Data,
        true,
        258,
        b"",
    ),
    (
        "disconnect_client_to_server_259_normal",
        PacketType::Disconnect,
        true,
        259,
        &[0],
    ),
];

/// Seal each case with the handshake's own sessions (empty data packets fill the counters
/// in between), and check a session built from the split keys seals the same bytes.
fn session_vectors(run: &mut Run) -> Res<Vec<Value>> {
    let mut out = Vec::new();
    for &(name, kind, c2s, counter, body) in SESSION_CASES {
        let session = if c2s {
            &mut run.client
        } else {
            &mut run.server
        };
        while session.sent() < counter {
            session.seal(PacketType::Data, b"")?;
        }
        let sealed = session.seal(kind, body)?;
        let (mut send, mut recv) = if c2s {
            run.keys
        } else {
            (run.keys.1, run.keys.0)
        };
        let key = send;
        let cid = c2s.then_some(SERVER_CID);
        let mut from_keys = Session::new(&mut send, &mut recv)
            .ok_or("bad key")?
            .with_connection_ids(cid, None);
        while from_keys.sent() < counter {
            from_keys.seal(PacketType::Data, b"")?;
        }
        if from_keys.seal(kind, body)? != sealed {
            return Err(format!("{name}: the split keys are not the session's").into());
        }
        let mut nonce = [0u8; 12];
        nonce[4..].copy_from_slice(&counter.to_be_bytes());
        let type_name = if kind == PacketType::Data {
            "data"
        } else {
            "disconnect"
        };
        let direction = if c2s {
            "clientToServer"
        } else {
            "serverToClient"
        };
        let header = if c2s { 17 } else { 9 };
        out.push(json!({
            "name": name, "type": type_name, "direction": direction, "key": hex::encode(key),
            "connectionId": hex::encode(cid.unwrap_or_default().get(..header - 9).unwrap_or_default()),
            "counter": counter, "nonce": hex::encode(nonce),
            "aad": hex::encode(sealed.get(..header).ok_or("short packet")?),
            "plaintext": hex::encode(body), "hex": hex::encode(&sealed),
        }));
    }
    Ok(out)
}

fn main() -> Res<()> {
    let dir = std::env::args()
        .nth(1)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors"));
    std::fs::create_dir_all(&dir)?;
    let now = Instant::now();
    let mut run = handshake(now)?;
    let session = session_vectors(&mut run)?;
    let files = [
        ("handshake.json", handshake_vectors(now, &run)?),
        ("invalid.json", invalid::invalid_vectors(&run, &session)?),
        ("session.json", session),
    ];
    for (file, v) in files {
        let text = serde_json::to_string_pretty(&Value::Array(v))? + "\n";
        std::fs::write(dir.join(file), text)?;
    }
    println!("wrote vectors to {}", dir.display());
    Ok(())
}
