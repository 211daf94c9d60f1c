//! `wss://`: a WebSocket server with a TLS configuration serves the link over TLS (ALPN
//! `http/1.1`, as browsers ask), and a plain-TCP client gets no link.

use crate::link_events::{accept, next};
use futures_util::{SinkExt, StreamExt};
use starlane_netcore::proto::ws::WS_SUBPROTOCOL;
use starlane_netcore::tls::pki::{DevCa, Purpose};
use starlane_netcore::tls::{ServerTrust, client_config, server_config};
use starlane_netcore::transport::{LinkEvent, Liveness, QueueLimits};
use starlane_netcore::websocket::{WsLimits, WsServer, WsServerConfig};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tls_server_serves_wss_only() {
    let ca = DevCa::generate("test ca").expect("a ca");
    let pair = ca
        .issue(&["localhost"], Purpose::Region)
        .expect("a certificate");
    let identity = pair.identity().expect("an identity");
    let tls = server_config(&identity, None, b"http/1.1").expect("a server config");
    let (server, mut accepted) = WsServer::bind(WsServerConfig {
        bind: "127.0.0.1:0".parse().expect("literal"),
        queues: QueueLimits::DEFAULT,
        first_message_limit: None,
        liveness: Liveness::DEFAULT,
        limits: WsLimits::default(),
        tls: Some(Arc::new(tls)),
    })
    .expect("bind");
    let addr = server.local_addr();

    // Over TLS: the handshake, a message each way.
    let trust = ServerTrust::Roots(ca.roots().expect("roots"));
    let client_tls = client_config(&trust, None, b"http/1.1").expect("a client config");
    let tcp = TcpStream::connect(addr).await.expect("connect");
    let name = ServerName::try_from("localhost").expect("a name");
    let stream = TlsConnector::from(Arc::new(client_tls))
        .connect(name, tcp)
        .await
        .expect("tls handshake");
    let mut request = format!("wss://localhost:{}/", addr.port())
        .into_client_request()
        .expect("a request");
    let protocol = HeaderValue::from_static(WS_SUBPROTOCOL);
    request
        .headers_mut()
        .insert("sec-websocket-protocol", protocol);
    let (mut ws, _) = tokio_tungstenite::client_async(request, stream)
        .await
        .expect("websocket handshake");
    let mut edge = accept(&mut accepted).await;
    ws.send(Message::Binary(vec![0, 1, 2, 3].into()))
        .await
        .expect("sent");
    assert_eq!(next(&mut edge).await, LinkEvent::Reliable(vec![1, 2, 3]));
    assert!(edge.sender.send_reliable(b"hi".to_vec()).is_queued());
    let answer = loop {
        match ws.next().await {
            Some(Ok(Message::Binary(m))) => break m,
            Some(Ok(_)) => continue,
            other => panic!("expected a message, got {other:?}"),
        }
    };
    assert_eq!(&answer[..], b"\0hi");

    // Plain TCP to a TLS server: no link, a setup failure.
    let plain = format!("ws://127.0.0.1:{}/", addr.port());
    assert!(
        starlane_netcore::websocket::connect_native(&plain)
            .await
            .is_err()
    );
    assert!(accepted.try_recv().is_err());
    assert!(server.counters().setup_failures.load(Ordering::Relaxed) >= 1);
    server.shutdown();
}
