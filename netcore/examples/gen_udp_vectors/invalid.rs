//! The invalid vectors: datagrams an endpoint ignores, each with the drop reason it counts
//! (`netcore/SPEC.md`, "Ignoring a packet"), in checklist order.

use crate::{CLIENT_V4, Res, Run, SERVER_ADDR, SERVER_CID};
use serde_json::{Value, json};
use starlane_netcore::proto::packet::{MAX_DATAGRAM, PROTOCOL_VERSION, PacketType};

fn with_byte(mut packet: Vec<u8>, at: usize, value: u8) -> Vec<u8> {
    if let Some(b) = packet.get_mut(at) {
        *b = value;
    }
    packet
}

fn truncated(packet: &[u8], len: usize) -> Res<Vec<u8>> {
    Ok(packet.get(..len).ok_or("packet too short")?.to_vec())
}

/// The invalid vectors, in checklist order: `(name, receiver, peer, from, bytes, error)`.
struct Invalid(Vec<Value>);

impl Invalid {
    fn push(
        &mut self,
        name: &str,
        receiver: &str,
        peer: Option<&str>,
        from: &str,
        bytes: Vec<u8>,
        error: &str,
    ) {
        let mut v = json!({
            "name": name, "receiver": receiver, "from": from,
            "hex": hex::encode(bytes), "error": error,
        });
        if let Some(p) = peer {
            v["peer"] = json!(p);
        }
        self.0.push(v);
    }

    /// At a server with no connection, from `CLIENT_V4`.
    fn server(&mut self, name: &str, bytes: Vec<u8>, error: &str) {
        self.push(name, "server", None, CLIENT_V4, bytes, error);
    }

    /// At a server with a connection to `CLIENT_V4` (under keys other than the vectors').
    fn connected(&mut self, name: &str, from: &str, bytes: Vec<u8>, error: &str) {
        self.push(name, "server", Some(CLIENT_V4), from, bytes, error);
    }

    /// At a client waiting for the cookie of `SERVER_ADDR`.
    fn client(&mut self, name: &str, from: &str, bytes: Vec<u8>, error: &str) {
        self.push(name, "client", Some(SERVER_ADDR), from, bytes, error);
    }
}

pub fn invalid_vectors(run: &Run, session: &[Value]) -> Res<Vec<Value>> {
    let sealed = |name: &str| -> Res<Vec<u8>> {
        let v = session.iter().find(|v| v["name"] == name);
        Ok(hex::decode(
            v.and_then(|v| v["hex"].as_str()).ok_or("no such vector")?,
        )?)
    };
    let c2s = sealed("data_client_to_server_0")?;
    let (hello, init, cookie) = (&run.hello, &run.init, &run.cookie_packet);
    let old = PROTOCOL_VERSION.wrapping_sub(1);
    let zero_cookie = |p: Vec<u8>| (18..38).fold(p, |p, i| with_byte(p, i, 0));
    let mut oversized_hello = hello.clone();
    oversized_hello.resize(MAX_DATAGRAM + 1, 0);

    let mut out = Invalid(Vec::new());
    out.server("oversized_hello", oversized_hello, "oversized");
    out.server(
        "oversized_type_zero",
        vec![0; MAX_DATAGRAM + 1],
        "oversized",
    );
    out.server("empty", vec![], "too_short");
    out.server("type_zero", vec![0], "unknown_type");
    out.server("type_seven", with_byte(hello.clone(), 0, 7), "unknown_type");
    out.server("cookie_at_server", cookie.clone(), "unexpected_type");
    out.server(
        "response_at_server",
        run.response.clone(),
        "unexpected_type",
    );
    out.server("hello_truncated", truncated(hello, 63)?, "bad_length");
    out.server("hello_too_long", [&hello[..], &[0]].concat(), "bad_length");
    let short_old = with_byte(truncated(hello, 63)?, 1, old);
    out.server("hello_truncated_previous_version", short_old, "bad_length");
    out.server(
        "hello_previous_version",
        with_byte(hello.clone(), 1, old),
        "bad_version",
    );
    out.server(
        "hello_version_255",
        with_byte(hello.clone(), 1, 255),
        "bad_version",
    );
    out.server("init_truncated", truncated(init, 85)?, "bad_length");
    out.server(
        "init_previous_version",
        with_byte(init.clone(), 1, old),
        "bad_version",
    );
    let old_zero = zero_cookie(with_byte(init.clone(), 1, old));
    out.server("init_previous_version_zero_cookie", old_zero, "bad_version");
    out.server("init_zero_cookie", zero_cookie(init.clone()), "bad_cookie");
    out.server("data_unknown_peer", c2s.clone(), "unknown_peer");
    let one = vec![PacketType::Data as u8];
    out.server("data_unknown_peer_truncated", one, "unknown_peer");
    // The live connection has the vectors' connection ID: another one names no connection.
    let other_cid = with_byte(c2s.clone(), 1, SERVER_CID[0] ^ 0xff);
    out.connected(
        "data_unknown_connection_id",
        CLIENT_V4,
        other_cid,
        "unknown_peer",
    );
    out.connected(
        "data_truncated",
        CLIENT_V4,
        truncated(&c2s, 32)?,
        "too_short",
    );
    // Counter 258: above what the live connection has seen, so authentication decides.
    let later = sealed("data_client_to_server_258_empty")?;
    out.connected("data_other_key", CLIENT_V4, later, "decrypt");
    let disconnect = sealed("disconnect_client_to_server_259_normal")?;
    out.connected("disconnect_other_key", CLIENT_V4, disconnect, "decrypt");
    // From another address the connection ID still finds the connection; authentication
    // decides, and a packet that fails it moves nothing (SPEC, "Roaming").
    let roamed = sealed("data_client_to_server_258_empty")?;
    out.connected(
        "data_other_port_other_key",
        "203.0.113.7:40002",
        roamed,
        "decrypt",
    );
    out.client(
        "hello_at_client",
        SERVER_ADDR,
        hello.clone(),
        "unexpected_type",
    );
    out.client(
        "init_at_client",
        SERVER_ADDR,
        init.clone(),
        "unexpected_type",
    );
    out.client(
        "cookie_other_source",
        "198.51.100.2:4433",
        cookie.clone(),
        "unknown_peer",
    );
    out.client(
        "cookie_truncated",
        SERVER_ADDR,
        truncated(cookie, 36)?,
        "bad_length",
    );
    out.client(
        "cookie_other_nonce",
        SERVER_ADDR,
        cookie.clone(),
        "bad_cookie",
    );
    let response = run.response.clone();
    out.client(
        "response_before_cookie",
        SERVER_ADDR,
        response,
        "handshake_failed",
    );
    let s2c = sealed("data_server_to_client_0")?;
    out.client("data_before_connection", SERVER_ADDR, s2c, "unknown_peer");
    Ok(out.0)
}
