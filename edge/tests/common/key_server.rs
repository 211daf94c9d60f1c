//! A key server on loopback for the key-fetch tests: HTTPS (rustls, ring) with a given
//! certificate, serving one document (a PEM key or a JWKS) that the test can swap, and counting
//! the requests it answered.

use starlane_netcore::tls::pki::PemPair;
use starlane_netcore::tls::server_config;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::task::JoinHandle;

/// The running server; dropping it stops it.
pub struct KeyServer {
    pub addr: SocketAddr,
    tls: Arc<Mutex<Arc<rustls::ServerConfig>>>,
    body: Arc<Mutex<String>>,
    requests: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl KeyServer {
    /// Serve `body` over HTTPS on a loopback port, presenting `cert`.
    pub async fn start(cert: &PemPair, body: String) -> Self {
        let tls = Arc::new(Mutex::new(tls_config(cert)));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let body = Arc::new(Mutex::new(body));
        let requests = Arc::new(AtomicUsize::new(0));
        let (t, b, r) = (tls.clone(), body.clone(), requests.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let stream = stream.into_std().unwrap();
                stream.set_nonblocking(false).unwrap();
                let tls = t.lock().unwrap().clone();
                let (b, r) = (b.clone(), r.clone());
                // rustls' stream is blocking; one short exchange per connection.
                tokio::task::spawn_blocking(move || answer(stream, tls, &b, &r));
            }
        });
        Self {
            addr,
            tls,
            body,
            requests,
            task,
        }
    }

    /// The URL of the document.
    pub fn url(&self) -> String {
        format!(
            "https://127.0.0.1:{}/.well-known/jwks.json",
            self.addr.port()
        )
    }

    /// Present `cert` to new connections from now on (e.g. a rogue certificate).
    pub fn set_cert(&self, cert: &PemPair) {
        *self.tls.lock().unwrap() = tls_config(cert);
    }

    /// Serve `body` from now on.
    pub fn set_body(&self, body: String) {
        *self.body.lock().unwrap() = body;
    }

    /// Requests answered so far (a failed TLS handshake is not one).
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

impl Drop for KeyServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn tls_config(cert: &PemPair) -> Arc<rustls::ServerConfig> {
    Arc::new(server_config(&cert.identity().unwrap(), None, b"http/1.1").unwrap())
}

fn answer(
    tcp: std::net::TcpStream,
    tls: Arc<rustls::ServerConfig>,
    body: &Mutex<String>,
    requests: &AtomicUsize,
) {
    let _ = tcp.set_read_timeout(Some(std::time::Duration::from_secs(5)));
    let Ok(conn) = rustls::ServerConnection::new(tls) else {
        return;
    };
    let mut stream = rustls::StreamOwned::new(conn, tcp);
    // Read the request head (the client refusing our certificate ends it here).
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let body = body.lock().unwrap().clone();
    let resp = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    if stream.write_all(resp.as_bytes()).is_ok() {
        requests.fetch_add(1, Ordering::SeqCst);
    }
    stream.conn.send_close_notify();
    let _ = stream.flush();
}
