//! A PostgreSQL server: `initdb` into a temporary directory, then `postgres` as a child process
//! listening on 127.0.0.1 only, trust authentication for the `postgres` user.

use crate::TestbedError;
use crate::process::{Signal, free_port, stop, wait_ready};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Environment variable that names the directory holding `initdb`, `postgres` and `psql`.
pub const PG_BIN_ENV: &str = "STARLANE_PG_BIN";

/// A running PostgreSQL server; dropping it stops the server and removes its data.
#[derive(Debug)]
pub struct Postgres {
    child: Child,
    port: u16,
    bin: PathBuf,
    as_user: ServerUser,
    // Dropped last: the server must stop before its directory goes.
    dir: tempfile::TempDir,
}

impl Postgres {
    /// Initialise a cluster in a new temporary directory and start it on a free port.
    pub fn start() -> Result<Self, TestbedError> {
        let bin = bin_dir()?;
        let dir = tempfile::Builder::new()
            .prefix("starlane-pg-")
            .tempdir()
            .map_err(TestbedError::io("temporary directory for PostgreSQL"))?;
        let data = dir.path().join("data");
        let as_user = ServerUser::detect()?;
        as_user.prepare(dir.path())?;
        let out = as_user
            .command(&bin.join("initdb"))
            .args(["-D"])
            .arg(&data)
            .args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"])
            .output()
            .map_err(TestbedError::io("running initdb"))?;
        if !out.status.success() {
            return Err(TestbedError::Command {
                command: "initdb".into(),
                detail: String::from_utf8_lossy(&out.stderr).into_owned(),
            });
        }
        let mut last = None;
        // The port is free when picked but may be taken before the server binds it: retry.
        for _ in 0..3 {
            let port = free_port()?;
            match Self::launch(&as_user, &bin, &data, dir.path(), port) {
                Ok(child) => {
                    return Ok(Self {
                        child,
                        port,
                        bin,
                        as_user,
                        dir,
                    });
                }
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| TestbedError::Command {
            command: "postgres".into(),
            detail: "no attempt made".into(),
        }))
    }

    fn launch(
        as_user: &ServerUser,
        bin: &Path,
        data: &Path,
        dir: &Path,
        port: u16,
    ) -> Result<Child, TestbedError> {
        let log = std::fs::File::create(dir.join(format!("postgres-{port}.log")))
            .map_err(TestbedError::io("PostgreSQL log file"))?;
        let mut child = as_user
            .command(&bin.join("postgres"))
            .arg("-D")
            .arg(data)
            .args(["-p", &port.to_string(), "-k"])
            .arg(dir)
            .args([
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "max_connections=300",
            ])
            .args(["-c", "fsync=off", "-c", "full_page_writes=off"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(TestbedError::io("starting postgres"))?;
        let url = admin_url(port);
        let isready = bin.join("pg_isready");
        let ready = wait_ready("PostgreSQL", &mut child, Duration::from_secs(30), || {
            let ok = Command::new(&isready)
                .args(["-q", "-d", &format!("{url}/postgres")])
                .status()
                .map_err(|e| e.to_string())?;
            if ok.success() {
                Ok(())
            } else {
                Err(format!("pg_isready: {ok}"))
            }
        });
        match ready {
            Ok(()) => Ok(child),
            Err(e) => {
                stop(&mut child, Signal::Quit, Duration::from_secs(5));
                Err(e)
            }
        }
    }

    /// `kill -9` the server (the postmaster; its backends notice and exit). It stays down
    /// until [`Postgres::restart`].
    pub fn kill(&mut self) {
        stop(&mut self.child, Signal::Kill, Duration::from_secs(5));
    }

    /// Start again on the same port and data directory after [`Postgres::kill`] (crash
    /// recovery replays the WAL). Retries for a while: the killed server's backends may hold
    /// its shared memory for a moment.
    pub fn restart(&mut self) -> Result<(), TestbedError> {
        stop(&mut self.child, Signal::Quit, Duration::from_secs(5));
        let data = self.dir.path().join("data");
        let mut last = None;
        for _ in 0..20 {
            match Self::launch(&self.as_user, &self.bin, &data, self.dir.path(), self.port) {
                Ok(child) => {
                    self.child = child;
                    return Ok(());
                }
                Err(e) => last = Some(e),
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        Err(last.unwrap_or_else(|| TestbedError::Command {
            command: "postgres".into(),
            detail: "no attempt made".into(),
        }))
    }

    /// The admin URL, without a database: `postgres://postgres@127.0.0.1:PORT`.
    pub fn admin_url(&self) -> String {
        admin_url(self.port)
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's PID.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Create database `name` and return its URL.
    pub fn create_database(&self, name: &str) -> Result<String, TestbedError> {
        create_with(&self.bin, &self.admin_url(), name)
    }

    /// The data directory (for logs when a test fails).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        stop(&mut self.child, Signal::Quit, Duration::from_secs(10));
    }
}

fn admin_url(port: u16) -> String {
    format!("postgres://postgres@127.0.0.1:{port}")
}

/// Create database `name` on the server at `admin` (a URL without a database part).
pub(crate) fn create_database_at(admin: &str, name: &str) -> Result<String, TestbedError> {
    create_with(&bin_dir()?, admin, name)
}

fn create_with(bin: &Path, admin: &str, name: &str) -> Result<String, TestbedError> {
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(TestbedError::Command {
            command: "create database".into(),
            detail: format!("name {name:?} must be ASCII letters, digits and '_'"),
        });
    }
    let admin = admin.trim_end_matches('/');
    let out = Command::new(bin.join("psql"))
        .args([
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            &format!("{admin}/postgres"),
        ])
        .args(["-c", &format!("CREATE DATABASE \"{name}\"")])
        .output()
        .map_err(TestbedError::io("running psql"))?;
    if !out.status.success() {
        return Err(TestbedError::Command {
            command: format!("psql CREATE DATABASE {name}"),
            detail: String::from_utf8_lossy(&out.stderr).into_owned(),
        });
    }
    Ok(format!("{admin}/{name}"))
}

/// The directory with the PostgreSQL server binaries.
pub fn bin_dir() -> Result<PathBuf, TestbedError> {
    if let Some(dir) = std::env::var_os(PG_BIN_ENV) {
        return Ok(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(bin);
    }
    Err(TestbedError::Missing {
        what: "PostgreSQL (initdb, postgres, psql)",
        fix: "install the PostgreSQL server binaries (Debian: postgresql-15) or set STARLANE_PG_BIN to their directory",
    })
}

/// PostgreSQL refuses to run as root: as root, run the server as the `postgres` user.
#[derive(Debug)]
enum ServerUser {
    Current,
    Postgres { uid: u32, gid: u32 },
}

impl ServerUser {
    fn detect() -> Result<Self, TestbedError> {
        if !rustix::process::geteuid().is_root() {
            return Ok(Self::Current);
        }
        let passwd =
            std::fs::read_to_string("/etc/passwd").map_err(TestbedError::io("/etc/passwd"))?;
        let entry = passwd
            .lines()
            .map(|l| l.split(':').collect::<Vec<_>>())
            .find(|f| f.first() == Some(&"postgres") && f.len() > 3);
        let parse = |s: Option<&&str>| s.and_then(|s| s.parse::<u32>().ok());
        match entry.and_then(|f| Some((parse(f.get(2))?, parse(f.get(3))?))) {
            Some((uid, gid)) => Ok(Self::Postgres { uid, gid }),
            None => Err(TestbedError::Missing {
                what: "a 'postgres' system user (PostgreSQL will not run as root)",
                fix: "run the tests as a normal user, or create the user: useradd --system postgres",
            }),
        }
    }

    fn prepare(&self, dir: &Path) -> Result<(), TestbedError> {
        if let Self::Postgres { uid, gid } = self {
            std::os::unix::fs::chown(dir, Some(*uid), Some(*gid))
                .map_err(TestbedError::io(format!("chown {}", dir.display())))?;
        }
        Ok(())
    }

    fn command(&self, program: &Path) -> Command {
        match self {
            Self::Current => Command::new(program),
            Self::Postgres { uid, gid } => {
                // setpriv execs the program: the child's PID is the server's.
                let mut c = Command::new("setpriv");
                c.arg(format!("--reuid={uid}"))
                    .arg(format!("--regid={gid}"))
                    .arg("--clear-groups")
                    .arg("--")
                    .arg(program);
                c
            }
        }
    }
}
