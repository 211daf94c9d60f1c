//! The testbed starts real servers, isolates tests, and ends only its own processes.

use starlane_testbed::{Postgres, Redis};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;

fn alive(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| s.contains(") Z "))
            .unwrap_or(true)
}

fn psql(url: &str, sql: &str) -> String {
    let bin = starlane_testbed::postgres_bin_dir().expect("postgres binaries");
    let out = Command::new(bin.join("psql"))
        .args(["-X", "-q", "-t", "-A", "-d", url, "-c", sql])
        .output()
        .expect("psql runs");
    assert!(
        out.status.success(),
        "psql: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn redis_cmd(port: u16, cmd: &str) -> std::io::Result<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.write_all(format!("{cmd}\r\n").as_bytes())?;
    let mut buf = [0u8; 64];
    let n = s.read(&mut buf)?;
    Ok(String::from_utf8_lossy(&buf[..n]).into_owned())
}

#[test]
fn postgres_databases_are_separate_and_the_server_stops_on_drop() {
    let pg = Postgres::start().expect("start postgres");
    let a = pg.create_database("a_db").expect("create a");
    let b = pg.create_database("b_db").expect("create b");
    psql(&a, "CREATE TABLE t (x int); INSERT INTO t VALUES (7)");
    assert_eq!(psql(&a, "SELECT x FROM t"), "7");
    assert_eq!(
        psql(&b, "SELECT count(*) FROM pg_tables WHERE tablename = 't'"),
        "0"
    );
    assert!(
        pg.create_database("bad name;").is_err(),
        "names are checked"
    );
    let (pid, dir) = (pg.pid(), pg.dir().to_owned());
    assert!(alive(pid));
    drop(pg);
    assert!(!alive(pid), "postgres {pid} still runs after drop");
    assert!(!dir.exists(), "data directory {} kept", dir.display());
}

#[test]
fn redis_answers_survives_kill_and_restart_on_its_port() {
    let mut redis = Redis::start().expect("start redis");
    let port = redis.port();
    assert_eq!(redis_cmd(port, "PING").expect("ping"), "+PONG\r\n");
    let first = redis.pid();
    redis.kill();
    assert!(!alive(first));
    assert!(
        redis_cmd(port, "PING").is_err(),
        "a killed server still answers"
    );
    redis.restart().expect("restart");
    assert_ne!(redis.pid(), first);
    assert_eq!(
        redis_cmd(port, "PING").expect("ping after restart"),
        "+PONG\r\n"
    );
    let pid = redis.pid();
    drop(redis);
    assert!(!alive(pid));
}

#[test]
fn fresh_names_never_repeat() {
    let a = starlane_testbed::fresh_prefix();
    let b = starlane_testbed::fresh_prefix();
    assert_ne!(a, b);
    assert!(a.ends_with(':'));
}

fn port_of(url: &str) -> u16 {
    let after_host = url.rsplit_once(':').expect("url has a port").1;
    let digits: String = after_host
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().expect("port")
}

#[test]
fn shared_servers_stop_when_their_process_exits() {
    // target/debug/deps/servers-HASH -> target/debug/examples/shared_servers_child
    let exe = std::env::current_exe().expect("test binary path");
    let child = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target dir")
        .join("examples/shared_servers_child");
    let out = Command::new(&child)
        .env_remove(starlane_testbed::POSTGRES_ENV)
        .env_remove(starlane_testbed::REDIS_ENV)
        .output()
        .unwrap_or_else(|e| panic!("run {} (built by cargo test): {e}", child.display()));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let ports: Vec<u16> = text.lines().map(port_of).collect();
    assert_eq!(ports.len(), 2, "child printed: {text}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    for port in ports {
        while TcpStream::connect(("127.0.0.1", port)).is_ok() {
            assert!(
                std::time::Instant::now() < deadline,
                "the server on port {port} still runs after its process exited"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
}
