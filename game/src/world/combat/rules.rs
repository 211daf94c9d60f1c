//! The combat formulas of seed 000 (section 5.1), in integers so every platform computes the
//! same battle: damage `max(1, (attack - defense / 2) * variance)` with a variance of 80 % to
//! 120 %, and the target score that prefers weak, close and dangerous enemies.

use starlane_protocol::EntityId;

/// SplitMix64's finaliser: a well-mixed 64-bit hash of `x`.
pub(crate) fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The variance of one shot in permille, 800..=1199: a hash of the seed, the tick and the
/// two units, so a replay draws the same numbers whatever else happened in the tick.
pub fn variance_permille(seed: u64, tick: u32, shooter: EntityId, target: EntityId) -> u32 {
    let key = (u64::from(tick) << 32) | u64::from(shooter);
    let draw = mix(seed ^ mix(key) ^ mix(u64::from(target).rotate_left(17)));
    // `draw % 400` is below 400, so the sum fits a u32.
    800 + (draw % 400) as u32
}

/// Damage of one shot of `attack` on a unit with armour `defense`, with the shot's variance
/// in permille: at least 1.
pub fn damage(attack: u16, defense: u16, variance_permille: u32) -> u16 {
    let base = u32::from(attack.saturating_sub(defense / 2));
    let scaled = base * variance_permille / 1000;
    u16::try_from(scaled).unwrap_or(u16::MAX).max(1)
}

/// How much a shooter wants a target (higher is better): the seed's
/// `(1000 - hp) * 0.3 + (1000 - distance) * 0.5 + attack * 0.2`, times ten, with each term
/// clamped to 0..=1000.
pub fn target_score(health: u16, distance: u32, attack: u16) -> u32 {
    let weak = 1000 - u32::from(health).min(1000);
    let close = 1000 - distance.min(1000);
    let danger = u32::from(attack).min(1000);
    3 * weak + 5 * close + 2 * danger
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damage_follows_the_formula_and_never_drops_below_one() {
        assert_eq!(damage(20, 8, 1000), 16);
        assert_eq!(damage(20, 8, 800), 12);
        assert_eq!(damage(20, 8, 1199), 19);
        assert_eq!(
            damage(4, 20, 1199),
            1,
            "armour beyond the attack still lets 1 through"
        );
        assert_eq!(damage(u16::MAX, 0, 1199), u16::MAX, "saturates");
    }

    #[test]
    fn variance_stays_in_its_band_and_is_a_function_of_its_inputs() {
        let mut seen = std::collections::BTreeSet::new();
        for tick in 0..2000 {
            let v = variance_permille(7, tick, 3, 9);
            assert!((800..1200).contains(&v), "{v}");
            seen.insert(v / 100);
        }
        assert_eq!(seen.len(), 4, "draws cover the band: {seen:?}");
        assert_eq!(variance_permille(7, 5, 3, 9), variance_permille(7, 5, 3, 9));
        assert_ne!(
            (0..50)
                .map(|t| variance_permille(7, t, 3, 9))
                .collect::<Vec<_>>(),
            (0..50)
                .map(|t| variance_permille(8, t, 3, 9))
                .collect::<Vec<_>>(),
            "the seed matters"
        );
    }

    #[test]
    fn score_prefers_weak_then_close_then_dangerous() {
        assert!(target_score(10, 3, 4) > target_score(100, 3, 4));
        assert!(target_score(50, 1, 4) > target_score(50, 3, 4));
        assert!(target_score(50, 2, 30) > target_score(50, 2, 4));
        assert_eq!(target_score(u16::MAX, u32::MAX, u16::MAX), 2000);
    }
}
