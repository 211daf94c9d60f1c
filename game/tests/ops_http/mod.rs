//! Reading the region's operator listener in tests: a plain HTTP/1.1 GET over loopback TCP
//! and the value of one series in a Prometheus text exposition.

use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// `GET path` on `addr`: the status code and the body.
pub async fn get(addr: SocketAddr, path: &str) -> std::io::Result<(u16, String)> {
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: region\r\nConnection: close\r\n\r\n");
    s.write_all(request.as_bytes()).await?;
    let mut text = String::new();
    s.read_to_string(&mut text).await?;
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

/// The value of the series `name{labels}` (labels exactly as exposed, e.g.
/// `set="commands"`; empty for a series without labels), if present.
pub fn sample(text: &str, name: &str, labels: &str) -> Option<f64> {
    let key = if labels.is_empty() {
        name.to_owned()
    } else {
        format!("{name}{{{labels}}}")
    };
    text.lines().filter(|l| !l.starts_with('#')).find_map(|l| {
        let (series, value) = l.rsplit_once(' ')?;
        (series == key).then(|| value.parse().ok()).flatten()
    })
}

/// The value of `name{labels}` scraped from `addr`'s `/metrics` now; 0 while not exposed.
pub async fn metric(addr: SocketAddr, name: &str, labels: &str) -> f64 {
    let (_, text) = get(addr, "/metrics").await.expect("scrape");
    sample(&text, name, labels).unwrap_or(0.0)
}
