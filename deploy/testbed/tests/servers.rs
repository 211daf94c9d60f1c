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
