//! Shared set-up of the end-to-end tests: the all-in-one server on free loopback ports in a
//! temporary directory, and clients that connect to it (over encrypted UDP unless a test
//! picks another transport).

#![allow(dead_code, clippy::unwrap_used)]

pub mod edge_processes;
pub mod region_in_process;
pub mod two_edges;

use starlane_client::{Client, ClientEvent, ConnectInfo, Transport, fetch_dev_token};
use starlane_local::{Local, LocalOptions};
use std::time::Duration;
use tempfile::TempDir;

pub struct Server {
    pub local: Local,
    pub base: String,
    pub info: ConnectInfo,
    pub dir: TempDir,
}

pub async fn start_in(dir: TempDir) -> Server {
    let web = dir.path().join("web");
    std::fs::create_dir_all(&web).unwrap();
    std::fs::write(web.join("index.html"), "<!doctype html><title>test</title>").unwrap();
    let mut opts = LocalOptions::new(dir.path().join("data"));
    opts.web_dir = web;
    opts.ephemeral_ports = true;
    // One player's scenarios: no AI empires wandering into them.
    opts.ai_empires = Some(0);
    let local = Local::start(opts).await.unwrap();
    let base = format!("http://127.0.0.1:{}", local.http_addr().port());
    let info = ConnectInfo::fetch(&base).await.unwrap();
    Server {
        local,
        base,
        info,
        dir,
    }
}

pub async fn start() -> Server {
    start_in(tempfile::tempdir().unwrap()).await
}

impl Server {
    pub async fn join(&self, user: &str) -> Client {
        self.join_via(user, Transport::Udp).await
    }

    /// Connect `user` over `transport` and wait until its own units are seen.
    pub async fn join_via(&self, user: &str, transport: Transport) -> Client {
        let token = fetch_dev_token(&self.base, user).await.unwrap();
        let mut client = Client::connect_via(&self.info, transport, &token)
            .await
            .unwrap();
        wait_until(&mut client, Duration::from_secs(10), |c| {
            c.world.my_units().next().is_some()
        })
        .await;
        client
    }
}

/// Drive the client's events until `done` holds; panics after `timeout`.
pub async fn wait_until(
    client: &mut Client,
    timeout: Duration,
    mut done: impl FnMut(&Client) -> bool,
) {
    let deadline = tokio::time::Instant::now() + timeout;
    while !done(client) {
        match tokio::time::timeout_at(deadline, client.next_event()).await {
            Ok(Some(ClientEvent::Closed(why))) => panic!("session closed: {why}"),
            Ok(Some(_)) => {}
            Ok(None) => panic!("session ended"),
            Err(_) => panic!("condition not reached within {timeout:?}"),
        }
    }
}

/// Drive the client's events for `duration`, returning the command results seen.
pub async fn pump(
    client: &mut Client,
    duration: Duration,
) -> Vec<(u32, Result<(), starlane_protocol::CommandError>)> {
    let deadline = tokio::time::Instant::now() + duration;
    let mut results = Vec::new();
    loop {
        match tokio::time::timeout_at(deadline, client.next_event()).await {
            Ok(Some(ClientEvent::CommandResult { seq, result })) => results.push((seq, result)),
            Ok(Some(ClientEvent::Closed(why))) => panic!("session closed: {why}"),
            Ok(Some(_)) => {}
            Ok(None) => panic!("session ended"),
            Err(_) => return results,
        }
    }
}

/// Wait for the answer to command `seq`.
pub async fn command_result(
    client: &mut Client,
    seq: u32,
) -> Result<(), starlane_protocol::CommandError> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        match tokio::time::timeout_at(deadline, client.next_event()).await {
            Ok(Some(ClientEvent::CommandResult { seq: s, result })) if s == seq => return result,
            Ok(Some(ClientEvent::Closed(why))) => panic!("session closed: {why}"),
            Ok(Some(_)) => {}
            Ok(None) => panic!("session ended"),
            Err(_) => panic!("no answer to command {seq}"),
        }
    }
}

/// Move `unit` to `target`: the command is accepted and the unit arrives (within 20 s).
pub async fn move_and_arrive(
    client: &mut Client,
    unit: starlane_protocol::EntityId,
    target: starlane_protocol::Hex,
) {
    let seq = client.send_move(unit, target);
    assert_eq!(command_result(client, seq).await, Ok(()));
    wait_until(client, Duration::from_secs(20), |c| {
        c.world.entities.get(&unit).is_some_and(|e| e.pos == target)
    })
    .await;
}

/// Wait until the map (a reliable message that raises no event of its own) has arrived.
#[allow(dead_code)]
pub async fn wait_for_map(client: &mut Client, timeout: Duration) {
    let deadline = tokio::time::Instant::now() + timeout;
    while client.world.map.is_none() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no map within {timeout:?}"
        );
        pump(client, Duration::from_millis(50)).await;
    }
}

/// `GET path` on a loopback HTTP listener: the status code and the whole response.
pub async fn http_get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: local\r\nConnection: close\r\n\r\n");
    s.write_all(request.as_bytes()).await.unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).await.unwrap();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, text)
}

/// The nearest free passable hex two to four steps from `from` in `client`'s view.
pub fn free_hex_near(client: &Client, from: starlane_protocol::Hex) -> starlane_protocol::Hex {
    use starlane_protocol::Hex;
    (-4i32..=4)
        .flat_map(|dq| (-4i32..=4).map(move |dr| Hex::new(from.q + dq, from.r + dr)))
        .filter(|h| (2..=4).contains(&from.distance(*h)))
        .filter(|h| client.world.is_passable(*h))
        .filter(|h| !client.world.entities.values().any(|e| e.pos == *h))
        .min_by_key(|h| (from.distance(*h), h.q, h.r))
        .expect("a free passable hex near the unit")
}
