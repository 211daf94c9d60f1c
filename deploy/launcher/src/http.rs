//! A minimal blocking HTTP/1.1 client over loopback TCP, for the few calls the launcher makes
//! to its own processes (`/readyz`, `/metrics`, `POST /admin/drain`): one request per
//! connection, `Connection: close`, bounded in time and size.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// How long one call may take.
const TIMEOUT: Duration = Duration::from_secs(5);
/// Largest answer read.
const MAX_ANSWER: u64 = 4 << 20;

/// An HTTP answer: status code and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// Status code.
    pub status: u16,
    /// Body, as text.
    pub body: String,
}

/// `GET http://addr/path`.
pub fn get(addr: SocketAddr, path: &str) -> std::io::Result<Answer> {
    call(addr, "GET", path, None)
}

/// `POST http://addr/path` with an empty body and, if given, `Authorization: Bearer ..`.
pub fn post(addr: SocketAddr, path: &str, bearer: Option<&str>) -> std::io::Result<Answer> {
    call(addr, "POST", path, bearer)
}

fn call(
    addr: SocketAddr,
    method: &str,
    path: &str,
    bearer: Option<&str>,
) -> std::io::Result<Answer> {
    let mut s = TcpStream::connect_timeout(&addr, TIMEOUT)?;
    s.set_read_timeout(Some(TIMEOUT))?;
    s.set_write_timeout(Some(TIMEOUT))?;
    let auth = bearer
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    s.take(MAX_ANSWER).read_to_end(&mut raw)?;
    parse(&raw).ok_or_else(|| std::io::Error::other(format!("no HTTP answer from {addr}{path}")))
}

fn parse(raw: &[u8]) -> Option<Answer> {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    let chunked = head.lines().any(|l| {
        l.to_ascii_lowercase()
            .starts_with("transfer-encoding: chunked")
    });
    let body = if chunked {
        dechunk(body)?
    } else {
        body.to_string()
    };
    Some(Answer { status, body })
}

fn dechunk(mut rest: &str) -> Option<String> {
    let mut out = String::new();
    loop {
        let (size, after) = rest.split_once("\r\n")?;
        let size = usize::from_str_radix(size.trim(), 16).ok()?;
        if size == 0 {
            return Some(out);
        }
        out.push_str(after.get(..size)?);
        rest = after.get(size..)?.strip_prefix("\r\n")?;
    }
}

/// The value of the metric line `name` (exact series, labels included) in a Prometheus text
/// exposition.
pub fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|v| v.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_and_chunked_answers_and_metric_lines() {
        let plain = b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 9\r\n\r\ndraining\n";
        assert_eq!(
            parse(plain),
            Some(Answer {
                status: 503,
                body: "draining\n".into()
            })
        );
        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nab\n\r\n2\r\ncd\r\n0\r\n\r\n";
        assert_eq!(parse(chunked).map(|a| a.body), Some("ab\ncd".into()));
        assert_eq!(parse(b"garbage"), None);
        let text = "# HELP x\nx_total 12\nx_total{a=\"b\"} 3\n";
        assert_eq!(metric(text, "x_total"), Some(12.0));
        assert_eq!(metric(text, "x_total{a=\"b\"}"), Some(3.0));
        assert_eq!(metric(text, "y"), None);
    }
}
