//! Byte budget in simulated time: no window of length T gets more than burst + rate * T,
//! greedy senders converge to the rate, `next_ready` is exact to the nanosecond, rate changes
//! apply from the change on, backwards time is harmless and extreme values do not overflow.

#![allow(clippy::unwrap_used)]

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use starlane_netcore::proto::budget::ByteBudget;
use std::time::{Duration, Instant};

const MAX_PACKET: u64 = 1200;
const NANOS_PER_SEC: u128 = 1_000_000_000;

/// A grant: offset from the start of the simulation and bytes granted.
type Grant = (Duration, u64);

/// How a simulated sender spaces its attempts.
#[derive(Clone, Copy)]
struct Pace {
    /// Largest gap between attempts, in nanoseconds (gaps are uniform in `0..=max_gap_ns`).
    max_gap_ns: u64,
    /// Chance that a gap is instead a long idle period (up to 2 s) that lets the bucket fill.
    idle_chance: f64,
}

const BUSY: Pace = Pace {
    max_gap_ns: 2_000_000,
    idle_chance: 0.0,
};
const BURSTY: Pace = Pace {
    max_gap_ns: 3_000_000,
    idle_chance: 0.002,
};

/// A greedy sender with one pending packet of random size (1..=1200 bytes): at each random
/// instant in `[from, until)` it sends packets until the budget refuses one, which stays pending.
fn greedy(
    budget: &mut ByteBudget,
    t0: Instant,
    rng: &mut StdRng,
    (from, until): (Duration, Duration),
    pace: Pace,
) -> Vec<Grant> {
    let mut grants = Vec::new();
    let mut pending = rng.random_range(1..=MAX_PACKET);
    let mut at = from;
    while at < until {
        while budget.try_consume(t0 + at, pending) {
            grants.push((at, pending));
            pending = rng.random_range(1..=MAX_PACKET);
        }
        let gap = if rng.random_bool(pace.idle_chance) {
            rng.random_range(0..=2_000_000_000)
        } else {
            rng.random_range(0..=pace.max_gap_ns)
        };
        at += Duration::from_nanos(gap);
    }
    grants
}

/// Bytes granted in `[start, start + len)`, with `grants` sorted by time.
fn in_window(grants: &[Grant], start: Duration, len: Duration) -> u64 {
    let lo = grants.partition_point(|g| g.0 < start);
    let hi = grants.partition_point(|g| g.0 < start + len);
    grants[lo..hi].iter().map(|g| g.1).sum()
}

/// The most bytes granted in any window of length `len` lying inside `[from, until]`: windows
/// starting on a `step` grid and windows starting at each grant.
fn busiest(
    grants: &[Grant],
    len: Duration,
    step: Duration,
    (from, until): (Duration, Duration),
) -> u64 {
    let mut starts: Vec<Duration> = grants.iter().map(|g| g.0).collect();
    let mut s = from;
    while s + len <= until {
        starts.push(s);
        s += step;
    }
    starts
        .into_iter()
        .filter(|&s| s >= from && s + len <= until)
        .map(|s| in_window(grants, s, len))
        .max()
        .unwrap_or(0)
}

/// `burst + rate * len`, rounded down to whole bytes.
fn bound(rate: u64, burst: u64, len: Duration) -> u64 {
    let accrued = u128::from(rate) * len.as_nanos() / NANOS_PER_SEC;
    burst + u64::try_from(accrued).unwrap()
}

fn total(grants: &[Grant]) -> u64 {
    grants.iter().map(|g| g.1).sum()
}

const SIXTY: Duration = Duration::from_secs(60);
const SECOND: Duration = Duration::from_secs(1);
const TENTH: Duration = Duration::from_millis(100);
const MILLI: Duration = Duration::from_millis(1);

#[test]
fn no_window_exceeds_burst_plus_rate() {
    for (seed, rate, burst) in [
        (1, 100_000, 30_000),
        (2, 250_000, 4_000),
        (3, 37_777, 1_200),
    ] {
        let t0 = Instant::now();
        let mut budget = ByteBudget::new(rate, burst, t0);
        let mut rng = StdRng::seed_from_u64(seed);
        let grants = greedy(&mut budget, t0, &mut rng, (Duration::ZERO, SIXTY), BURSTY);
        for len in [SECOND, TENTH] {
            let worst = busiest(&grants, len, MILLI, (Duration::ZERO, SIXTY));
            assert!(
                worst <= bound(rate, burst, len),
                "seed {seed}: {worst} B in {len:?}"
            );
        }
        assert_eq!(budget.stats().granted_bytes, total(&grants));
        assert_eq!(budget.stats().grants, grants.len() as u64);
        assert!(budget.stats().refusals > 0);
    }
}

#[test]
fn burst_of_a_twentieth_keeps_every_second_within_five_percent() {
    for seed in 10..14 {
        let rate = 200_000;
        let t0 = Instant::now();
        let mut budget = ByteBudget::new(rate, rate / 20, t0);
        let mut rng = StdRng::seed_from_u64(seed);
        let grants = greedy(&mut budget, t0, &mut rng, (Duration::ZERO, SIXTY), BURSTY);
        let worst = busiest(&grants, SECOND, MILLI, (Duration::ZERO, SIXTY));
        assert!(
            worst * 100 <= rate * 105,
            "seed {seed}: {worst} B in one second"
        );
        // The idle periods let the bucket fill, so some second does use the burst.
        assert!(
            worst > rate,
            "seed {seed}: burst never exercised ({worst} B)"
        );
    }
}

#[test]
fn greedy_sender_converges_to_the_rate() {
    for (seed, rate, burst) in [
        (20, 100_000, 5_000),
        (21, 1_000_003, 50_000),
        (22, 12_345, 1_234),
    ] {
        let t0 = Instant::now();
        let mut budget = ByteBudget::new(rate, burst, t0);
        let mut rng = StdRng::seed_from_u64(seed);
        let sent = total(&greedy(
            &mut budget,
            t0,
            &mut rng,
            (Duration::ZERO, SIXTY),
            BUSY,
        ));
        let expected = rate * 60;
        assert!(
            sent * 100 >= expected * 99,
            "seed {seed}: {sent} B, expected ~{expected}"
        );
        assert!(
            sent <= expected + burst,
            "seed {seed}: {sent} B over the budget"
        );
    }
}

#[test]
fn pacing_on_next_ready_gets_the_whole_budget() {
    let (rate, burst) = (64_000, 3_200);
    let t0 = Instant::now();
    let mut budget = ByteBudget::new(rate, burst, t0);
    let mut rng = StdRng::seed_from_u64(30);
    let mut now = t0;
    let mut sent = 0;
    loop {
        let size = rng.random_range(1..=MAX_PACKET);
        now = budget.next_ready(now, size).unwrap();
        if now > t0 + SIXTY {
            break;
        }
        assert!(budget.try_consume(now, size));
        sent += size;
    }
    // Nothing is wasted: all but the last (unsent) packet of the 60 s budget goes out.
    assert!(sent + MAX_PACKET >= burst + rate * 60, "{sent} B");
    assert!(sent <= burst + rate * 60);
    assert_eq!(budget.stats().refusals, 0);
}

#[test]
fn next_ready_is_exact_to_the_nanosecond() {
    let mut rng = StdRng::seed_from_u64(40);
    let t0 = Instant::now();
    for _ in 0..2_000 {
        let rate = rng.random_range(1..=10_000_000);
        let burst = rng.random_range(MAX_PACKET..=100_000);
        let mut budget = ByteBudget::new(rate, burst, t0);
        let mut now = t0 + Duration::from_nanos(rng.random_range(0..1_000_000));
        // Drain to a random level so the deficit has an arbitrary nano-byte remainder.
        budget.consume_up_to(now, burst - rng.random_range(0..MAX_PACKET));
        now += Duration::from_nanos(rng.random_range(0..1_000_000));
        let size = rng.random_range(1..=MAX_PACKET);
        let ready = budget.next_ready(now, size).unwrap();
        if ready > now {
            assert!(
                !budget.try_consume(ready - Duration::from_nanos(1), size),
                "rate {rate}"
            );
        }
        assert!(budget.try_consume(ready, size), "rate {rate}");
    }
}

#[test]
fn next_ready_is_none_when_never_ready() {
    let t0 = Instant::now();
    let budget = ByteBudget::new(1_000, 2_000, t0);
    assert_eq!(budget.next_ready(t0, 2_000), Some(t0));
    assert_eq!(budget.next_ready(t0, 2_001), None);

    let mut frozen = ByteBudget::new(0, 2_000, t0);
    assert_eq!(frozen.next_ready(t0, 500), Some(t0));
    assert!(frozen.try_consume(t0, 1_800));
    assert_eq!(frozen.next_ready(t0, 500), None);
    assert_eq!(frozen.available(t0 + SIXTY), 200);
}

#[test]
fn set_rate_applies_from_the_change_on() {
    let t0 = Instant::now();
    let switch = Duration::from_secs(20);
    let (old_rate, old_burst) = (100_000, 5_000);
    let (new_rate, new_burst) = (40_000, 2_000);
    let mut budget = ByteBudget::new(old_rate, old_burst, t0);
    let mut rng = StdRng::seed_from_u64(50);
    let before = greedy(&mut budget, t0, &mut rng, (Duration::ZERO, switch), BUSY);
    budget.set_rate(t0 + switch, new_rate, new_burst);
    assert_eq!((budget.rate(), budget.burst()), (new_rate, new_burst));
    let after = greedy(&mut budget, t0, &mut rng, (switch, SIXTY), BUSY);

    for len in [SECOND, TENTH] {
        let worst = busiest(&before, len, MILLI, (Duration::ZERO, switch));
        assert!(worst <= bound(old_rate, old_burst, len));
        let worst = busiest(&after, len, MILLI, (switch, SIXTY));
        assert!(
            worst <= bound(new_rate, new_burst, len),
            "{worst} B in {len:?} after"
        );
    }
    let expected = new_rate * 40;
    let sent = total(&after);
    assert!(
        sent * 100 >= expected * 99 && sent <= expected + new_burst,
        "{sent} B"
    );
}

#[test]
fn set_rate_keeps_accrued_tokens_capped_at_the_new_burst() {
    let t0 = Instant::now();
    let mut budget = ByteBudget::new(1_000, 5_000, t0);
    assert!(budget.try_consume(t0, 4_000));
    // 1.5 s at 1000 B/s accrues 1500 B before the change, on top of the 1000 left.
    let t1 = t0 + Duration::from_millis(1_500);
    budget.set_rate(t1, 10_000, 20_000);
    assert_eq!(budget.available(t1), 2_500);
    assert_eq!(budget.available(t1 + TENTH), 3_500);
    // Shrinking the burst drops what no longer fits.
    budget.set_rate(t1 + TENTH, 10_000, 3_000);
    assert_eq!(budget.available(t1 + TENTH), 3_000);
    assert_eq!(budget.available(t1 + SECOND), 3_000);
}

#[test]
fn backwards_time_is_treated_as_the_latest_seen() {
    let t0 = Instant::now();
    let t10 = t0 + Duration::from_secs(10);
    let mut budget = ByteBudget::new(1_000, 4_000, t0);
    assert!(budget.try_consume(t10, 4_000));
    let t5 = t0 + Duration::from_secs(5);
    assert_eq!(budget.available(t5), 0);
    assert!(!budget.try_consume(t5, 1));
    assert_eq!(budget.consume_up_to(t5, 100), 0);
    assert_eq!(budget.next_ready(t5, 500), budget.next_ready(t10, 500));
    assert_eq!(
        budget.next_ready(t5, 500),
        Some(t10 + Duration::from_millis(500))
    );
    budget.set_rate(t5, 1_000, 4_000);
    // Only the second after t10 accrues, not the six after t5.
    assert_eq!(budget.available(t0 + Duration::from_secs(11)), 1_000);

    // A sender whose clock jitters backwards never gets more than burst + rate * elapsed.
    let mut rng = StdRng::seed_from_u64(60);
    let mut budget = ByteBudget::new(50_000, 2_500, t0);
    let (mut at, mut latest, mut sent) = (Duration::ZERO, Duration::ZERO, 0);
    while latest < SIXTY {
        let size = rng.random_range(1..=MAX_PACKET);
        if budget.try_consume(t0 + at, size) {
            sent += size;
            assert!(
                sent <= bound(50_000, 2_500, latest),
                "{sent} B by {latest:?}"
            );
        }
        let step = Duration::from_nanos(rng.random_range(0..3_000_000));
        at = if rng.random_bool(0.3) {
            at.saturating_sub(step)
        } else {
            at + step
        };
        latest = latest.max(at);
    }
}

#[test]
fn extreme_values_do_not_overflow() {
    let t0 = Instant::now();
    let mut huge = ByteBudget::new(u64::MAX, u64::MAX, t0);
    assert_eq!(huge.available(t0), u64::MAX);
    assert!(huge.try_consume(t0, u64::MAX));
    assert_eq!(huge.available(t0), 0);
    // u64::MAX nano-bytes accrue per nanosecond.
    assert_eq!(
        huge.available(t0 + Duration::from_nanos(1)),
        u64::MAX / 1_000_000_000
    );
    assert_eq!(huge.next_ready(t0, u64::MAX), Some(t0 + SECOND));
    let century = Duration::from_secs(100 * 365 * 24 * 3600);
    assert_eq!(huge.available(t0 + century), u64::MAX);
    assert!(huge.try_consume(t0 + century, u64::MAX));
    assert_eq!(huge.stats().granted_bytes, u64::MAX);
    assert_eq!(huge.consume_up_to(t0 + century * 2, u64::MAX), u64::MAX);

    let mut slow = ByteBudget::new(1, u64::MAX, t0);
    assert!(slow.try_consume(t0, u64::MAX));
    assert_eq!(slow.next_ready(t0, u64::MAX), None);
    assert_eq!(slow.next_ready(t0, 2), Some(t0 + Duration::from_secs(2)));

    let mut empty = ByteBudget::new(u64::MAX, 0, t0);
    assert!(empty.try_consume(t0, 0));
    assert!(!empty.try_consume(t0 + century, 1));
    assert_eq!(empty.next_ready(t0, 1), None);
    empty.set_rate(t0 + century, u64::MAX, u64::MAX);
    assert_eq!(empty.available(t0 + century + SECOND), u64::MAX);
}

#[test]
fn refunded_bytes_keep_the_used_bytes_within_the_bound() {
    // A sender that plans packets by an upper bound and uses only part of each (as the edge
    // does when record sizes are bounds): what it uses, per window, stays within the bound,
    // and it uses more of the rate than without refunds.
    let (rate, burst) = (50_000, 2_500);
    let t0 = Instant::now();
    let mut rng = StdRng::seed_from_u64(9);
    let mut with = ByteBudget::new(rate, burst, t0);
    let mut without = ByteBudget::new(rate, burst, t0);
    let (mut used_with, mut used_without) = (Vec::new(), Vec::new());
    let mut at = Duration::ZERO;
    while at < SIXTY {
        let planned = rng.random_range(100..=MAX_PACKET);
        let used = planned * rng.random_range(50..=100) / 100;
        while with.try_consume(t0 + at, planned) {
            with.refund(t0 + at, planned - used);
            used_with.push((at, used));
        }
        while without.try_consume(t0 + at, planned) {
            used_without.push((at, used));
        }
        at += Duration::from_millis(50);
    }
    for len in [SECOND, TENTH] {
        let worst = busiest(&used_with, len, MILLI, (Duration::ZERO, SIXTY));
        assert!(worst <= bound(rate, burst, len), "{worst} B in {len:?}");
    }
    assert_eq!(with.stats().granted_bytes, total(&used_with));
    let (a, b) = (total(&used_with), total(&used_without));
    assert!(a > b * 11 / 10, "refunds should raise use: {a} vs {b}");
    assert!(a <= burst + rate * 60, "{a}");
}
