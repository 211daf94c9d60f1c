//! CPU time of the calling thread, from `/proc/thread-self/stat` (utime + stime, in the
//! kernel's USER_HZ of 100 per second on Linux: 10 ms resolution, ample over a 30 s window).

/// Seconds of CPU this thread has used; `None` where `/proc` cannot say.
pub fn thread_cpu_secs() -> Option<f64> {
    stat_cpu_secs(&std::fs::read_to_string("/proc/thread-self/stat").ok()?)
}

/// Seconds of CPU used by this process's threads whose names start with one of `names` (as
/// the kernel keeps them: at most 15 bytes); 0 when there are none.
pub fn named_threads_cpu_secs(names: &[&str]) -> f64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0.0;
    };
    let mut total = 0.0;
    for task in tasks.flatten() {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        let comm = comm.trim_end();
        // The kernel cuts names to 15 bytes: a cut name matches a longer one it begins.
        let hit = |n: &&str| comm.starts_with(n) || (comm.len() == 15 && n.starts_with(comm));
        if !names.iter().any(hit) {
            continue;
        }
        if let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) {
            total += stat_cpu_secs(&stat).unwrap_or(0.0);
        }
    }
    total
}

/// utime + stime of one `stat` line, in seconds.
fn stat_cpu_secs(stat: &str) -> Option<f64> {
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split_whitespace();
    // After the name: state is field 3, so utime (14) and stime (15) are the 12th and 13th.
    let utime: f64 = fields.nth(11)?.parse().ok()?;
    let stime: f64 = fields.next()?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

#[cfg(test)]
mod tests {
    fn spin(ms: u128) {
        let start = std::time::Instant::now();
        let mut x = 0u64;
        while start.elapsed().as_millis() < ms {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
        }
        std::hint::black_box(x);
    }

    #[test]
    fn a_named_threads_work_is_counted_by_its_name() {
        let (done, wait) = std::sync::mpsc::channel::<()>();
        let (worked, spun) = std::sync::mpsc::channel::<()>();
        let t = std::thread::Builder::new()
            .name("peers-cpu-test-long-name".into())
            .spawn(move || {
                spin(150);
                let _ = worked.send(());
                let _ = wait.recv();
            })
            .expect("spawn");
        spun.recv().expect("the thread worked");
        let named = super::named_threads_cpu_secs(&["peers-cpu-test-long-name"]);
        let other = super::named_threads_cpu_secs(&["peers-cpu-nobody"]);
        let _ = done.send(());
        t.join().expect("join");
        assert!(named >= 0.05, "{named}");
        assert_eq!(other, 0.0);
    }

    #[test]
    fn grows_with_work() {
        let a = super::thread_cpu_secs().expect("/proc");
        let start = std::time::Instant::now();
        let mut x = 0u64;
        while start.elapsed().as_millis() < 150 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
        }
        std::hint::black_box(x);
        let b = super::thread_cpu_secs().expect("/proc");
        assert!(b - a >= 0.05, "{a} -> {b}");
    }
}
