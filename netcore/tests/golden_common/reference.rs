//! The SPEC's formulas, computed here with ring and snow directly (not with the code under
//! test), so the golden vectors are checked against the text as well as the implementation.

use super::{bytes, named, text};
use ring::{aead, hmac};
use serde_json::Value;
use starlane_netcore::proto::entropy::EntropySource;
use starlane_netcore::proto::x25519::resolver;
use std::net::{IpAddr, SocketAddr};

/// The 18 bytes of the cookie's `address`: IPv6 (IPv4 as mapped) and the port, little-endian.
pub fn address_bytes(a: SocketAddr) -> Vec<u8> {
    let ip = match a.ip() {
        IpAddr::V4(v4) => v4.to_ipv6_mapped(),
        IpAddr::V6(v6) => v6,
    };
    [&ip.octets()[..], &a.port().to_le_bytes()].concat()
}

/// `(MAC input, cookie)`: `epoch LE || HMAC-SHA256(secret, epoch || address || nonce)[..16]`.
pub fn cookie(secret: &[u8], epoch: u32, from: SocketAddr, nonce: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let input = [&epoch.to_le_bytes()[..], &address_bytes(from), nonce].concat();
    let mac = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, secret), &input);
    let cookie = [&epoch.to_le_bytes()[..], &mac.as_ref()[..16]].concat();
    (input, cookie)
}

/// Noise messages 1 and 2 and the raw split keys (client to server first) of a run with the
/// handshake vectors' keys, prologue and protocol name.
pub struct NoiseRun {
    pub msg1: Vec<u8>,
    pub msg2: Vec<u8>,
    pub keys: ([u8; 32], [u8; 32]),
}

/// Run snow as initiator and responder with the keys of the `init` and `response` vectors.
pub fn noise(hs: &[Value]) -> NoiseRun {
    let (init, response) = (named(hs, "init"), named(hs, "response"));
    let prologue = bytes(init, "prologue");
    let server_public = bytes(init, "serverStaticPublic");
    let client_ephemeral = bytes(init, "clientEphemeralPrivate");
    let server_static = bytes(response, "serverStaticPrivate");
    let server_ephemeral = bytes(response, "serverEphemeralPrivate");
    let params = || text(init, "noise").parse().expect("noise protocol name");
    // Each side's only random draw is its ephemeral key.
    let entropy = |key: Vec<u8>| resolver(EntropySource::scripted([key]));
    let mut i = snow::Builder::with_resolver(params(), entropy(client_ephemeral))
        .prologue(&prologue)
        .and_then(|b| b.remote_public_key(&server_public))
        .and_then(|b| b.build_initiator())
        .expect("initiator");
    let mut r = snow::Builder::with_resolver(params(), entropy(server_ephemeral))
        .prologue(&prologue)
        .and_then(|b| b.local_private_key(&server_static))
        .and_then(|b| b.build_responder())
        .expect("responder");
    let (mut m1, mut m2, mut payload) = ([0u8; 64], [0u8; 64], [0u8; 64]);
    let n1 = i.write_message(&[], &mut m1).expect("message 1");
    r.read_message(&m1[..n1], &mut payload).expect("read 1");
    // Message 2's payload is the connection ID the server chose.
    let cid = bytes(response, "connectionId");
    let n2 = r.write_message(&cid, &mut m2).expect("message 2");
    let got = i.read_message(&m2[..n2], &mut payload).expect("read 2");
    assert_eq!(
        payload[..got],
        cid[..],
        "message 2 carries the connection id"
    );
    NoiseRun {
        msg1: m1[..n1].to_vec(),
        msg2: m2[..n2].to_vec(),
        keys: i.dangerously_get_raw_split(),
    }
}

/// A sealed session packet: `(nonce, aad, packet)` with nonce `0^4 || counter BE`, aad
/// `type || cid || counter LE` (`cid` empty towards the client) and packet
/// `aad || AES-256-GCM(key, nonce, aad, body) || tag`.
pub fn session_packet(
    key: &[u8],
    kind: u8,
    cid: &[u8],
    counter: u64,
    body: &[u8],
) -> ([u8; 12], Vec<u8>, Vec<u8>) {
    let mut nonce = [0u8; 12];
    nonce[4..].copy_from_slice(&counter.to_be_bytes());
    let aad = [&[kind][..], cid, &counter.to_le_bytes()].concat();
    let key = aead::LessSafeKey::new(aead::UnboundKey::new(&aead::AES_256_GCM, key).expect("key"));
    let mut sealed = body.to_vec();
    key.seal_in_place_append_tag(
        aead::Nonce::assume_unique_for_key(nonce),
        aead::Aad::from(&aad),
        &mut sealed,
    )
    .expect("ring seals");
    let packet = [&aad[..], &sealed].concat();
    (nonce, aad, packet)
}
