//! Ports, child processes and signals.

use crate::TestbedError;
use std::net::{Ipv4Addr, TcpListener};
use std::process::Child;
use std::time::{Duration, Instant};

/// A signal this crate sends to processes it (or its caller) started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// Ask to stop cleanly.
    Term,
    /// Stop at once, without cleanup (`kill -9`).
    Kill,
    /// Reload configuration.
    Hup,
    /// PostgreSQL's immediate shutdown.
    Quit,
}

/// Send `sig` to the process `pid`.
pub fn signal(pid: u32, sig: Signal) -> std::io::Result<()> {
    use rustix::process::{Pid, Signal as S, kill_process};
    let raw = i32::try_from(pid).map_err(|_| std::io::Error::other("pid out of range"))?;
    let pid = Pid::from_raw(raw).ok_or_else(|| std::io::Error::other("pid 0"))?;
    let s = match sig {
        Signal::Term => S::TERM,
        Signal::Kill => S::KILL,
        Signal::Hup => S::HUP,
        Signal::Quit => S::QUIT,
    };
    kill_process(pid, s).map_err(std::io::Error::from)
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> Result<u16, TestbedError> {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(TestbedError::io("bind 127.0.0.1:0"))?;
    let port = l
        .local_addr()
        .map_err(TestbedError::io("local_addr"))?
        .port();
    Ok(port)
}

/// Stop `child`: `first`, then SIGKILL after `grace`; always reaps it.
pub(crate) fn stop(child: &mut Child, first: Signal, grace: Duration) {
    if matches!(child.try_wait(), Ok(Some(_))) {
        return;
    }
    let _ = signal(child.id(), first);
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline {
        if matches!(child.try_wait(), Ok(Some(_))) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Poll `ready` every 50 ms until it returns `Ok`, `child` exits, or `timeout` passes.
pub(crate) fn wait_ready(
    what: &'static str,
    child: &mut Child,
    timeout: Duration,
    mut ready: impl FnMut() -> Result<(), String>,
) -> Result<(), TestbedError> {
    let start = Instant::now();
    let mut last = String::from("not tried");
    while start.elapsed() < timeout {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(TestbedError::NotReady {
                what,
                seconds: timeout.as_secs(),
                detail: format!("it exited with {status}; last check: {last}"),
            });
        }
        match ready() {
            Ok(()) => return Ok(()),
            Err(e) => last = e,
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(TestbedError::NotReady {
        what,
        seconds: timeout.as_secs(),
        detail: last,
    })
}

/// Stop `server` with `stop_signal` (then SIGKILL) and remove `dir` once the process `owner`
/// has exited.
///
/// For servers held in a process-wide static, which Rust never drops: without this, every
/// plain `cargo nextest run` would leave one PostgreSQL and one Redis (and their temporary
/// directories) behind per test process. The watcher is a small `sh` loop in its own process
/// group, so that it outlives the owner; it only signals the PID it was given.
pub(crate) fn reap_when_gone(
    owner: u32,
    server: u32,
    stop_signal: Signal,
    dir: &std::path::Path,
) -> Result<(), TestbedError> {
    use std::os::unix::process::CommandExt;
    let first = match stop_signal {
        Signal::Term => "TERM",
        Signal::Kill => "KILL",
        Signal::Hup => "HUP",
        Signal::Quit => "QUIT",
    };
    const SCRIPT: &str = r#"while kill -0 "$1" 2>/dev/null; do sleep 0.5; done
kill -"$3" "$2" 2>/dev/null
i=0; while kill -0 "$2" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
kill -KILL "$2" 2>/dev/null
rm -rf -- "$4""#;
    std::process::Command::new("sh")
        .arg("-c")
        .arg(SCRIPT)
        .arg("starlane-testbed-reaper")
        .arg(owner.to_string())
        .arg(server.to_string())
        .arg(first)
        .arg(dir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0)
        .spawn()
        .map_err(TestbedError::io(
            "starting the reaper for a shared test server",
        ))?;
    Ok(())
}
