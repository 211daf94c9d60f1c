//! Seeds of `handshake_server` and `handshake_client`: operation sequences (see
//! `starlane_fuzz::handshake::Op`) that connect real clients, exchange messages, lose, mutate
//! and replay datagrams, and raw datagrams captured from a real handshake between two other
//! endpoints.

use super::seed;
use starlane_fuzz::handshake::{OpWriter, SERVER_KEY, server_addr, source_addr};
use starlane_netcore::proto::endpoint::{Endpoint, EndpointConfig};
use std::time::{Duration, Instant};

/// Datagrams of one real connection, in the order they were sent: `(to_server, bytes)`.
fn capture() -> Vec<(bool, Vec<u8>)> {
    let cfg = EndpointConfig::default();
    let mut now = Instant::now();
    let mut server = Endpoint::server(SERVER_KEY, cfg.clone());
    let key = server.public_key().unwrap();
    let mut client = Endpoint::client(now, server_addr(), key, cfg).unwrap();
    let peer = source_addr(0);
    let mut seen = Vec::new();
    for round in 0..6 {
        if round == 3 {
            let _ = client.send_reliable(now, server_addr(), b"hello from the client");
            let _ = client.send_datagram(now, server_addr(), b"ping");
        }
        if round == 4 {
            let _ = server.send_reliable(now, peer, b"welcome");
            let _ = client.close(now, server_addr(), 0);
        }
        while let Some((_, d)) = client.poll_transmit(now) {
            server.handle_datagram(now, peer, &d);
            seen.push((true, d));
        }
        while let Some((_, d)) = server.poll_transmit(now) {
            client.handle_datagram(now, server_addr(), &d);
            seen.push((false, d));
        }
        now += Duration::from_millis(20);
    }
    seen
}

/// Hello, cookie, init, response: four flushes.
fn connect(w: &mut OpWriter) -> &mut OpWriter {
    w.flush().flush().flush().flush()
}

fn common(target: &str) {
    let mut w = OpWriter::new();
    connect(&mut w)
        .client_send(0, true, b"hello")
        .client_send(0, false, b"datagram")
        .flush()
        .server_send(0, true, b"welcome")
        .server_send(0, false, b"update")
        .flush()
        .advance(600)
        .flush()
        .close(0, false, 0)
        .flush();
    seed(target, "ops-connect-talk-close", &w.finish());

    let mut w = OpWriter::new();
    w.lose(0, true).lose(1, true).advance(1000).flush();
    connect(&mut w).advance(1000).flush().flush();
    seed(target, "ops-lost-hello", &w.finish());

    let mut w = OpWriter::new();
    connect(&mut w).client_send(1, true, b"x").flush();
    for i in 0..12 {
        w.replay(i, i % 2 == 0, i % 6);
    }
    seed(target, "ops-replays", &w.finish());

    let mut w = OpWriter::new();
    w.to_server_flipped(0, 13).flush().flush();
    w.to_client_truncated(0, 10).flush().flush().flush();
    seed(target, "ops-mutated-handshake", &w.finish());

    let mut w = OpWriter::new();
    connect(&mut w).restart(0);
    connect(&mut w).client_send(0, true, b"again").flush();
    seed(target, "ops-restart-while-connected", &w.finish());

    let mut w = OpWriter::new();
    connect(&mut w)
        .advance(4000)
        .advance(4000)
        .advance(4000)
        .flush();
    seed(target, "ops-idle-timeout", &w.finish());

    let mut w = OpWriter::new();
    connect(&mut w)
        .close(2, true, 7)
        .flush()
        .client_send(2, true, b"late")
        .flush();
    seed(target, "ops-closed-by-server", &w.finish());

    let mut w = OpWriter::new();
    connect(&mut w);
    for i in 0..20u8 {
        w.client_send(i % 3, i % 2 == 0, &[i; 40]);
        if i % 4 == 0 {
            w.lose(i % 3, true);
        }
    }
    w.flush().advance(300).flush().flush();
    seed(target, "ops-lossy-traffic", &w.finish());

    roaming(target);
}

/// Clients that change address mid-session: validated, lost, spoofed, colliding.
fn roaming(target: &str) {
    // To a fresh address (`rebind_addr(7)`): data, challenge, response, then both ways.
    let mut w = OpWriter::new();
    connect(&mut w)
        .rebind(0, 7)
        .client_send(0, true, b"moved")
        .flush()
        .flush()
        .flush()
        .server_send(0, true, b"seen you")
        .server_send(0, false, b"update")
        .flush()
        .flush();
    seed(target, "ops-rebind-fresh", &w.finish());

    // The challenges are lost: resent, then the probe gives up; the client moves back.
    let mut w = OpWriter::new();
    connect(&mut w)
        .rebind(1, 8)
        .client_send(1, true, b"anyone?");
    w.flush();
    for _ in 0..4 {
        w.lose(1, false).advance(400).flush();
    }
    w.rebind(1, 1)
        .client_send(1, true, b"back home")
        .flush()
        .flush();
    seed(target, "ops-rebind-lost-challenges", &w.finish());

    // Onto another client's address: its connection gives way.
    let mut w = OpWriter::new();
    connect(&mut w)
        .rebind(0, 1)
        .client_send(0, false, b"collide")
        .flush()
        .flush()
        .flush()
        .client_send(1, true, b"still here?")
        .flush()
        .flush();
    seed(target, "ops-rebind-onto-other-client", &w.finish());

    // Captured packets replayed from other sources while a client roams, a mutated
    // challenge, and a second move before the first completed.
    let mut w = OpWriter::new();
    connect(&mut w).rebind(2, 9).client_send(2, true, b"roam");
    w.replay(0, true, 4).replay(1, true, 5);
    w.to_client_flipped(2, 200)
        .rebind(2, 8)
        .client_send(2, false, b"again");
    w.flush().flush().flush().advance(100).flush().flush();
    seed(target, "ops-rebind-replays-and-double-move", &w.finish());
}

pub fn write() {
    let captured = capture();
    common("handshake_server");
    common("handshake_client");

    // Server: captured datagrams and garbage from sources without a connection, and a
    // captured data packet from a source that has one.
    for (i, (to_server, d)) in captured.iter().enumerate().take(8) {
        if *to_server {
            let mut w = OpWriter::new();
            w.raw(3 + (i % 3) as u8, d);
            seed(
                "handshake_server",
                &format!("raw-captured-{i}"),
                &w.finish(),
            );
        }
    }
    let mut w = OpWriter::new();
    for t in 0..8u8 {
        w.raw(3, &[t]).raw(4, &[t; 80]);
    }
    w.raw(5, &[]).raw(5, &[1; 1201]);
    seed("handshake_server", "raw-garbage", &w.finish());
    if let Some((_, data)) = captured.iter().rev().find(|(up, _)| *up) {
        let mut w = OpWriter::new();
        connect(&mut w).raw(0, data).raw(1, data);
        seed(
            "handshake_server",
            "raw-foreign-data-on-connection",
            &w.finish(),
        );
    }

    // Client: captured server datagrams from the server's address (source 0) and others.
    for (i, (to_server, d)) in captured.iter().enumerate().take(8) {
        if !*to_server {
            let mut w = OpWriter::new();
            w.raw(0, d).flush().raw(1, d);
            seed(
                "handshake_client",
                &format!("raw-captured-{i}"),
                &w.finish(),
            );
        }
    }
    let mut w = OpWriter::new();
    for t in 0..8u8 {
        w.raw(0, &[t]).raw(0, &[t; 49]);
    }
    w.raw(0, &[]).raw(0, &[2; 1201]);
    seed("handshake_client", "raw-garbage", &w.finish());
}
