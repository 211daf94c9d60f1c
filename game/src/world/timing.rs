//! Wall time of each system set: a marker system stamps the clock before `Commands`, between
//! consecutive sets and after `Sync` (the schedule runs single-threaded, in set order).

use super::schedule::{RegionPlugin, RegionSet};
use bevy_ecs::prelude::*;
use std::time::Instant;

/// Instants at the five set boundaries of the current tick.
#[derive(Resource, Debug, Default)]
pub struct SetClock {
    marks: [Option<Instant>; 5],
}

impl SetClock {
    /// Nanoseconds spent in Commands, Simulation, Vision and Sync during the last run.
    pub fn set_ns(&self) -> [u64; 4] {
        let mut out = [0u64; 4];
        for (i, slot) in out.iter_mut().enumerate() {
            if let (Some(Some(a)), Some(Some(b))) = (self.marks.get(i), self.marks.get(i + 1)) {
                *slot =
                    u64::try_from(b.saturating_duration_since(*a).as_nanos()).unwrap_or(u64::MAX);
            }
        }
        out
    }
}

fn stamp<const I: usize>(mut clock: ResMut<SetClock>) {
    if let Some(slot) = clock.marks.get_mut(I) {
        *slot = Some(Instant::now());
    }
}

/// Installs the clock and its boundary systems.
#[derive(Debug, Clone, Copy)]
pub struct TimingPlugin;

impl RegionPlugin for TimingPlugin {
    fn build(&self, world: &mut World, schedule: &mut Schedule) {
        world.insert_resource(SetClock::default());
        schedule.add_systems((
            stamp::<0>.before(RegionSet::Commands),
            stamp::<1>
                .after(RegionSet::Commands)
                .before(RegionSet::Simulation),
            stamp::<2>
                .after(RegionSet::Simulation)
                .before(RegionSet::Vision),
            stamp::<3>.after(RegionSet::Vision).before(RegionSet::Sync),
            stamp::<4>.after(RegionSet::Sync),
        ));
    }
}
