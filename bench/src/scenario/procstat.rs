//! Process and machine facts from `/proc` (Linux): CPU seconds, peak resident memory, cores,
//! CPU model, memory size; and the git commit being measured.

use serde::Serialize;
use std::path::PathBuf;

/// Clock ticks per second of `/proc/<pid>/stat` times (`USER_HZ`, 100 on every Linux ABI
/// this runs on).
const USER_HZ: f64 = 100.0;

/// Which process to read: this one or a child by pid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proc {
    /// The runner itself.
    SelfProcess,
    /// Another process.
    Pid(u32),
}

impl Proc {
    fn dir(self) -> PathBuf {
        match self {
            Proc::SelfProcess => PathBuf::from("/proc/self"),
            Proc::Pid(pid) => PathBuf::from(format!("/proc/{pid}")),
        }
    }

    /// User plus system CPU seconds used so far; `None` if unreadable (not Linux, exited).
    pub fn cpu_secs(self) -> Option<f64> {
        let text = std::fs::read_to_string(self.dir().join("stat")).ok()?;
        parse_stat_cpu(&text)
    }

    /// Peak resident set size (VmHWM) in KiB; `None` if unreadable.
    pub fn peak_rss_kib(self) -> Option<u64> {
        let text = std::fs::read_to_string(self.dir().join("status")).ok()?;
        status_field_kib(&text, "VmHWM:")
    }
}

/// User plus system CPU seconds used so far by this process's live threads whose name
/// (`/proc/self/task/<tid>/comm`, at most 15 bytes) starts with `prefix`; `None` if `/proc`
/// is unreadable. A thread that has exited no longer counts.
pub fn threads_cpu_secs(prefix: &str) -> Option<f64> {
    let tasks = std::fs::read_dir("/proc/self/task").ok()?;
    let mut secs = 0.0;
    for task in tasks.flatten() {
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
            continue; // the thread ended meanwhile
        };
        if thread_name(&stat).is_some_and(|n| n.starts_with(prefix)) {
            secs += parse_stat_cpu(&stat).unwrap_or(0.0);
        }
    }
    Some(secs)
}

/// The command name (field 2, between the first '(' and the last ')') of a `stat` text.
fn thread_name(stat: &str) -> Option<&str> {
    stat.get(stat.find('(')? + 1..stat.rfind(')')?)
}

/// utime + stime in seconds from the text of `/proc/<pid>/stat`.
fn parse_stat_cpu(text: &str) -> Option<f64> {
    // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // fields[0] is field 3 (state); utime is field 14, stime field 15.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / USER_HZ)
}

/// A `Name:   1234 kB` line's value.
fn status_field_kib(text: &str, name: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(name))?;
    line[name.len()..].split_whitespace().next()?.parse().ok()
}

/// The machine a run happened on.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    /// Cores available to this process.
    pub cores: usize,
    /// CPU model name from `/proc/cpuinfo`.
    pub cpu_model: Option<String>,
    /// Total memory in KiB from `/proc/meminfo`.
    pub memory_kib: Option<u64>,
    /// `std::env::consts::OS` / `ARCH`.
    pub os: String,
}

impl Machine {
    /// Describe this machine.
    pub fn detect() -> Machine {
        let cpu_model = std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        });
        let memory_kib = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|t| status_field_kib(&t, "MemTotal:"));
        Machine {
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cpu_model,
            memory_kib,
            os: format!("{}/{}", std::env::consts::OS, std::env::consts::ARCH),
        }
    }
}

/// `git rev-parse HEAD` in the current directory, if git and a repository are there.
pub fn git_commit() -> Option<String> {
    let out = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_stat_with_spaces_in_the_name() {
        let stat = "42 (a b) c) S 1 42 42 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 1 0 1 1 1";
        assert_eq!(parse_stat_cpu(stat), Some(3.0));
        assert_eq!(parse_stat_cpu("garbage"), None);
        assert_eq!(thread_name(stat), Some("a b) c"));
    }

    #[test]
    fn a_named_threads_cpu_is_counted_apart() {
        // Spin until the thread's own count shows 50 ms (bounded by 30 s of wall time).
        let busy = std::thread::Builder::new()
            .name("procstat-busy".into())
            .spawn(|| {
                let start = std::time::Instant::now();
                let mut x = 0u64;
                loop {
                    for _ in 0..100_000 {
                        x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
                    }
                    let own = threads_cpu_secs("procstat-busy").unwrap_or(0.0);
                    if own >= 0.05 || start.elapsed() > std::time::Duration::from_secs(30) {
                        return own;
                    }
                }
            })
            .expect("spawn a thread");
        let own = busy.join().expect("the thread ran");
        assert!(own >= 0.05, "the spinning thread counted only {own} s");
        // The kernel scales the process's total and each thread's count apart (one clock tick
        // of rounding each way was seen): compare within two ticks.
        let whole = Proc::SelfProcess.cpu_secs().expect("/proc is readable");
        assert!(
            whole + 2.0 / USER_HZ >= own,
            "the process ({whole} s) used less than one thread ({own} s)"
        );
        assert_eq!(threads_cpu_secs("no-such-thread"), Some(0.0));
    }

    #[test]
    fn parses_status_kib_fields() {
        let status = "Name:\tx\nVmHWM:\t   1234 kB\nVmRSS:\t 99 kB\n";
        assert_eq!(status_field_kib(status, "VmHWM:"), Some(1234));
        assert_eq!(status_field_kib(status, "VmPeak:"), None);
        assert!(Proc::SelfProcess.peak_rss_kib().is_some());
    }
}
