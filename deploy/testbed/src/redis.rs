//! A Redis server as a child process on 127.0.0.1, without persistence.

use crate::TestbedError;
use crate::process::{Signal, free_port, stop, wait_ready};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running redis-server; dropping it stops the server and removes its directory.
#[derive(Debug)]
pub struct Redis {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Redis {
    /// Start `redis-server` on a free port in a new temporary directory.
    pub fn start() -> Result<Self, TestbedError> {
        let dir = tempfile::Builder::new()
            .prefix("starlane-redis-")
            .tempdir()
            .map_err(TestbedError::io("temporary directory for Redis"))?;
        let mut last = None;
        for _ in 0..3 {
            let port = free_port()?;
            match Self::launch(dir.path(), port) {
                Ok(child) => return Ok(Self { child, port, dir }),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| TestbedError::Command {
            command: "redis-server".into(),
            detail: "no attempt made".into(),
        }))
    }

    /// Start again on the same port and directory after [`Redis::kill`] (a restart test).
    pub fn restart(&mut self) -> Result<(), TestbedError> {
        stop(&mut self.child, Signal::Term, Duration::from_secs(5));
        self.child = Self::launch(self.dir.path(), self.port)?;
        Ok(())
    }

    /// `kill -9` the server (it stays down until [`Redis::restart`]).
    pub fn kill(&mut self) {
        stop(&mut self.child, Signal::Kill, Duration::from_secs(5));
    }

    fn launch(dir: &std::path::Path, port: u16) -> Result<Child, TestbedError> {
        let log = std::fs::File::create(dir.join(format!("redis-{port}.log")))
            .map_err(TestbedError::io("Redis log file"))?;
        let mut child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args([
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "yes",
            ])
            .arg("--dir")
            .arg(dir)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => TestbedError::Missing {
                    what: "redis-server",
                    fix: "install Debian's redis-server package (apt-get install redis-server)",
                },
                _ => TestbedError::Io {
                    context: "starting redis-server".into(),
                    source: e,
                },
            })?;
        let ready = wait_ready("Redis", &mut child, Duration::from_secs(20), || ping(port));
        match ready {
            Ok(()) => Ok(child),
            Err(e) => {
                stop(&mut child, Signal::Kill, Duration::from_secs(2));
                Err(e)
            }
        }
    }

    /// The server's URL: `redis://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's PID.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's directory (its log is there).
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        stop(&mut self.child, Signal::Term, Duration::from_secs(5));
    }
}

fn ping(port: u16) -> Result<(), String> {
    let mut s = TcpStream::connect_timeout(
        &(Ipv4Addr::LOCALHOST, port).into(),
        Duration::from_millis(500),
    )
    .map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_millis(500)))
        .map_err(|e| e.to_string())?;
    s.write_all(b"PING\r\n").map_err(|e| e.to_string())?;
    let mut buf = [0u8; 7];
    s.read_exact(&mut buf).map_err(|e| e.to_string())?;
    if &buf == b"+PONG\r\n" {
        Ok(())
    } else {
        Err(format!("answer {buf:?}"))
    }
}
