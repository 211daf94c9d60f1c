//! One-line rendering of a link's stats for the CLI.

use starlane_netcore::transport::LinkStatsSnapshot;
use std::time::Duration;

fn ms(d: Option<Duration>) -> String {
    match d {
        Some(d) => format!("{:.1} ms", d.as_secs_f64() * 1000.0),
        None => "-".to_string(),
    }
}

fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// `srtt 12.3 ms ± 1.2 ms, loss 0.50%, in 120 pkts 45.1 KiB, out 80 pkts 3.2 KiB`: smoothed
/// RTT and its variation (`-` until measured), the share of sent packets lost, and packets
/// and bytes each way as the transport counts them.
pub fn format_link_stats(s: &LinkStatsSnapshot) -> String {
    format!(
        "srtt {} ± {}, loss {:.2}%, in {} pkts {}, out {} pkts {}",
        ms(s.rtt),
        ms(s.rtt_var),
        s.loss() * 100.0,
        s.packets_in,
        bytes(s.bytes_in),
        s.packets_out,
        bytes(s.bytes_out),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_measured_and_unmeasured_links() {
        let s = LinkStatsSnapshot {
            bytes_in: 46_182,
            bytes_out: 900,
            packets_in: 120,
            packets_out: 200,
            rtt: Some(Duration::from_micros(12_345)),
            rtt_var: Some(Duration::from_micros(1_240)),
            packets_lost: 1,
            ..LinkStatsSnapshot::default()
        };
        assert_eq!(
            format_link_stats(&s),
            "srtt 12.3 ms ± 1.2 ms, loss 0.50%, in 120 pkts 45.1 KiB, out 200 pkts 900 B"
        );
        assert_eq!(
            format_link_stats(&LinkStatsSnapshot::default()),
            "srtt - ± -, loss 0.00%, in 0 pkts 0 B, out 0 pkts 0 B"
        );
    }

    #[test]
    fn large_counts_use_larger_units() {
        assert_eq!(bytes(1023), "1023 B");
        assert_eq!(bytes(1024), "1.0 KiB");
        assert_eq!(bytes(5 * 1024 * 1024 + 1), "5.0 MiB");
        assert_eq!(bytes(u64::MAX), "17179869184.0 GiB");
    }
}
