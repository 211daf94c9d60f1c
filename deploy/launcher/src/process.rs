//! Supervision of the processes the launcher starts: where their binaries are, starting one
//! with its output in a log file, reading the addresses it prints, stopping it by PID, and a
//! reaper that ends it if the launcher itself dies (even by `kill -9`).

use crate::LaunchError;
use starlane_testbed::{Signal, signal};
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Environment variable naming the directory of `starlane-region` and `starlane-edge`.
pub const BIN_DIR_ENV: &str = "STARLANE_BIN_DIR";

/// The binaries the cluster runs.
#[derive(Debug, Clone)]
pub struct Binaries {
    /// `starlane-region`.
    pub region: PathBuf,
    /// `starlane-edge`.
    pub edge: PathBuf,
}

impl Binaries {
    /// Find both in `dir`, else in the directory of this executable (for a test executable
    /// in `target/<profile>/deps`, its parent).
    pub fn find(dir: Option<&Path>) -> Result<Self, LaunchError> {
        let dir = match dir {
            Some(d) => d.to_path_buf(),
            None => own_dir()?,
        };
        let pick = |name: &'static str| {
            let path = dir.join(name);
            if path.is_file() {
                Ok(path)
            } else {
                Err(LaunchError::MissingBinary {
                    name,
                    dir: dir.clone(),
                })
            }
        };
        Ok(Self {
            region: pick("starlane-region")?,
            edge: pick("starlane-edge")?,
        })
    }
}

fn own_dir() -> Result<PathBuf, LaunchError> {
    let exe = std::env::current_exe().map_err(LaunchError::io("cannot find this executable"))?;
    let mut dir = exe
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    if dir.file_name().is_some_and(|n| n == "deps") {
        dir.pop();
    }
    Ok(dir)
}

/// A process started by the launcher; dropping it stops it (SIGTERM, then SIGKILL).
#[derive(Debug)]
pub struct Supervised {
    name: String,
    child: Child,
    log: PathBuf,
    lines: mpsc::Receiver<String>,
    /// What it printed on stdout until it was ready.
    pub banner: Vec<String>,
}

impl Supervised {
    /// Start `program args` with `RUST_LOG=log_filter`, its stdout and stderr appended to
    /// `log`, and wait (at most `timeout`) until it has printed a line containing each of
    /// `markers`.
    pub fn start(
        name: &str,
        program: &Path,
        args: &[&str],
        log: &Path,
        log_filter: &str,
        markers: &[&str],
        timeout: Duration,
    ) -> Result<Self, LaunchError> {
        let open = || {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(log)
                .map_err(LaunchError::io(format!("cannot open {}", log.display())))
        };
        let stderr = open()?;
        let mut out = open()?;
        let mut child = Command::new(program)
            .args(args)
            .env("RUST_LOG", log_filter)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .map_err(LaunchError::io(format!(
                "cannot start {}",
                program.display()
            )))?;
        reap_when_gone(std::process::id(), child.id(), Signal::Term, None)?;
        let (tx, lines) = mpsc::channel();
        if let Some(stdout) = child.stdout.take() {
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    let _ = writeln!(out, "{line}");
                    // The receiver may be gone; the log still gets every line.
                    let _ = tx.send(line);
                }
            });
        }
        let mut me = Self {
            name: name.to_string(),
            child,
            log: log.to_path_buf(),
            lines,
            banner: Vec::new(),
        };
        me.wait_for(markers, timeout)?;
        Ok(me)
    }

    fn wait_for(&mut self, markers: &[&str], timeout: Duration) -> Result<(), LaunchError> {
        let deadline = Instant::now() + timeout;
        let seen = |banner: &[String], m: &str| banner.iter().any(|l| l.contains(m));
        while !markers.iter().all(|m| seen(&self.banner, m)) {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(self.failed(format!("it exited with {status}")));
            }
            if Instant::now() >= deadline {
                return Err(self.failed(format!("not ready within {} s", timeout.as_secs())));
            }
            if let Ok(line) = self.lines.recv_timeout(Duration::from_millis(100)) {
                self.banner.push(line);
            }
        }
        Ok(())
    }

    fn failed(&self, why: String) -> LaunchError {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(15).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        LaunchError::Start {
            what: self.name.clone(),
            detail: format!(
                "{why}; the end of {}:\n{}",
                self.log.display(),
                tail.join("\n")
            ),
        }
    }

    /// The first address printed after `marker` in the banner.
    pub fn addr_after(&self, marker: &str) -> Result<SocketAddr, LaunchError> {
        self.word_after(marker)
            .and_then(|w| w.parse().ok())
            .ok_or_else(|| self.failed(format!("no address after {marker:?} in what it printed")))
    }

    /// The first word printed after `marker` in the banner (up to a space, `/` or `)`).
    pub fn word_after(&self, marker: &str) -> Option<String> {
        self.banner.iter().find_map(|line| {
            let rest = &line[line.find(marker)? + marker.len()..];
            let word = rest.trim_start().split([' ', '/', ')']).next()?;
            (!word.is_empty()).then(|| word.to_string())
        })
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Its name, e.g. `region r1`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its log file.
    pub fn log(&self) -> &Path {
        &self.log
    }

    /// Whether it still runs.
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Send `first`, wait at most `grace` for it to exit, then SIGKILL; always reaps it.
    /// `true` if it exited by itself within `grace`.
    pub fn stop(&mut self, first: Signal, grace: Duration) -> bool {
        if !self.running() {
            return true;
        }
        let _ = signal(self.pid(), first);
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if !self.running() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        false
    }

    /// Send SIGINT (an edge stops at once, without draining).
    pub fn interrupt(&mut self) {
        if !self.running() {
            return;
        }
        let pid = i32::try_from(self.pid())
            .ok()
            .and_then(rustix::process::Pid::from_raw);
        if let Some(pid) = pid {
            let _ = rustix::process::kill_process(pid, rustix::process::Signal::INT);
        }
    }

    /// `kill -9` it and reap it.
    pub fn kill(&mut self) {
        self.stop(Signal::Kill, Duration::from_secs(5));
    }
}

impl Drop for Supervised {
    fn drop(&mut self) {
        self.stop(Signal::Term, Duration::from_secs(15));
    }
}

/// Watch `owner`: once it has exited, stop `pid` (`first`, then SIGKILL after 5 s) and
/// remove `dir` if given. The watcher is a small `sh` loop in its own process group, so it
/// outlives the owner; it ends by itself as soon as `pid` has exited, so it never signals a
/// process id reused by someone else later.
pub fn reap_when_gone(
    owner: u32,
    pid: u32,
    first: Signal,
    dir: Option<&Path>,
) -> Result<(), LaunchError> {
    use std::os::unix::process::CommandExt;
    let first = match first {
        Signal::Term => "TERM",
        Signal::Kill => "KILL",
        Signal::Hup => "HUP",
        Signal::Quit => "QUIT",
    };
    const SCRIPT: &str = r#"while kill -0 "$1" 2>/dev/null; do
  kill -0 "$2" 2>/dev/null || exit 0
  sleep 0.5
done
kill -"$3" "$2" 2>/dev/null
i=0; while kill -0 "$2" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
kill -KILL "$2" 2>/dev/null
[ -n "$4" ] && rm -rf -- "$4"
exit 0"#;
    let mut watcher = Command::new("sh")
        .arg("-c")
        .arg(SCRIPT)
        .arg("starlane-launcher-reaper")
        .arg(owner.to_string())
        .arg(pid.to_string())
        .arg(first)
        .arg(dir.map(|d| d.display().to_string()).unwrap_or_default())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .map_err(LaunchError::io(
            "cannot start the reaper of a child process",
        ))?;
    // Collect its exit status when it ends, so it does not linger as a zombie.
    std::thread::spawn(move || watcher.wait());
    Ok(())
}
