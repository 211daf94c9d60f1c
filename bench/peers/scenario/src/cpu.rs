//! CPU time of the calling thread, from `/proc/thread-self/stat` (utime + stime, in the
//! kernel's USER_HZ of 100 per second on Linux: 10 ms resolution, ample over a 30 s window).

/// Seconds of CPU this thread has used; `None` where `/proc` cannot say.
pub fn thread_cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
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
