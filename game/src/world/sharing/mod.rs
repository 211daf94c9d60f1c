//! Shared vision (game/README.md, "Shared vision"; SPEC.md §20): the grants between empires
//! ([`Grants`]), fed by the `ShareVision` and `RevokeVision` commands
//! ([`crate::world::commands::vision_orders`]), applied to the vision index in the vision
//! stage of the same tick, and told to both empires' sessions ([`notify`]).

pub mod notify;

use super::schedule::{RegionPlugin, RegionSet};
use crate::config::RegionConfig;
use bevy_ecs::prelude::*;
use notify::notify_sharing;
use starlane_protocol::{CommandError, EmpireId, NEUTRAL_EMPIRE};
use std::collections::{BTreeMap, BTreeSet};

/// Shared vision's slice of the configuration.
#[derive(Resource, Debug, Clone, Copy, PartialEq, Eq)]
pub struct SharingSettings {
    /// Most grants one empire gives at once (`[shared_vision] max_grants`).
    pub max_grants: usize,
}

impl SharingSettings {
    /// The slice of `config` shared vision reads.
    pub fn from_config(config: &RegionConfig) -> Self {
        Self {
            max_grants: config.shared_vision.max_grants as usize,
        }
    }
}

/// A grant that began (`on`) or ended this tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GrantChange {
    /// The empire that shares.
    pub from: EmpireId,
    /// The empire that sees.
    pub to: EmpireId,
    /// Began (`true`) or ended.
    pub on: bool,
}

/// Every vision grant of the region, and this tick's changes for the vision stage and for
/// the sessions.
#[derive(Resource, Debug, Default)]
pub struct Grants {
    /// Per granting empire, the empires it shares its vision with.
    given: BTreeMap<EmpireId, BTreeSet<EmpireId>>,
    /// Changes the vision index has not taken yet.
    pub(crate) for_vision: Vec<GrantChange>,
    /// Changes the sessions have not been told yet.
    pub(crate) for_sessions: Vec<GrantChange>,
}

impl Grants {
    /// Check `from` may share with `to` (SPEC.md §20.2): `Ok(false)` when it already does.
    pub fn check_share(
        &self,
        from: EmpireId,
        to: EmpireId,
        max: usize,
    ) -> Result<bool, CommandError> {
        valid_pair(from, to)?;
        let given = self.given.get(&from);
        if given.is_some_and(|g| g.contains(&to)) {
            return Ok(false);
        }
        if given.map_or(0, BTreeSet::len) >= max {
            return Err(CommandError::TooManyGrants);
        }
        Ok(true)
    }

    /// Check `from` may revoke its grant to `to` (SPEC.md §20.2).
    pub fn check_revoke(&self, from: EmpireId, to: EmpireId) -> Result<(), CommandError> {
        valid_pair(from, to)?;
        if self.shares(from, to) {
            Ok(())
        } else {
            Err(CommandError::NotShared)
        }
    }

    /// Begin (`on`) or end the grant from `from` to `to`; a no-op when it already is so.
    /// `tell`: whether the sessions hear of it (not for a grant restored from a snapshot).
    pub fn set(&mut self, from: EmpireId, to: EmpireId, on: bool, tell: bool) {
        let changed = if on {
            self.given.entry(from).or_default().insert(to)
        } else {
            let removed = self.given.get_mut(&from).is_some_and(|g| g.remove(&to));
            if self.given.get(&from).is_some_and(BTreeSet::is_empty) {
                self.given.remove(&from);
            }
            removed
        };
        if changed {
            let change = GrantChange { from, to, on };
            self.for_vision.push(change);
            if tell {
                self.for_sessions.push(change);
            }
        }
    }

    /// Whether `from` shares its vision with `to`.
    pub fn shares(&self, from: EmpireId, to: EmpireId) -> bool {
        self.given.get(&from).is_some_and(|g| g.contains(&to))
    }

    /// Every grant as `(from, to)`, sorted.
    pub fn all(&self) -> Vec<(EmpireId, EmpireId)> {
        self.given
            .iter()
            .flat_map(|(from, tos)| tos.iter().map(move |to| (*from, *to)))
            .collect()
    }

    /// The empires `empire` shares with, sorted.
    pub fn given_by(&self, empire: EmpireId) -> impl Iterator<Item = EmpireId> + '_ {
        self.given.get(&empire).into_iter().flatten().copied()
    }

    /// The empires that share with `empire`, sorted.
    pub fn taken_by(&self, empire: EmpireId) -> impl Iterator<Item = EmpireId> + '_ {
        self.given
            .iter()
            .filter(move |(_, tos)| tos.contains(&empire))
            .map(|(from, _)| *from)
    }
}

/// A grant names another, non-neutral empire.
fn valid_pair(from: EmpireId, to: EmpireId) -> Result<(), CommandError> {
    if to == from || to == NEUTRAL_EMPIRE {
        Err(CommandError::InvalidEmpire)
    } else {
        Ok(())
    }
}

/// Installs the grants and the system that tells sessions of them.
#[derive(Debug, Clone, Copy)]
pub struct SharingPlugin {
    /// Its slice of the configuration.
    pub settings: SharingSettings,
}

impl RegionPlugin for SharingPlugin {
    fn build(&self, world: &mut World, schedule: &mut Schedule) {
        world.insert_resource(self.settings);
        world.insert_resource(Grants::default());
        schedule.add_systems(notify_sharing.in_set(RegionSet::Sync));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_checks_follow_the_spec_order() {
        let mut g = Grants::default();
        assert_eq!(g.check_share(1, 1, 2), Err(CommandError::InvalidEmpire));
        assert_eq!(g.check_share(1, 0, 2), Err(CommandError::InvalidEmpire));
        assert_eq!(g.check_share(1, 2, 2), Ok(true));
        g.set(1, 2, true, true);
        assert_eq!(g.check_share(1, 2, 2), Ok(false));
        g.set(1, 3, true, true);
        assert_eq!(g.check_share(1, 4, 2), Err(CommandError::TooManyGrants));
        // Already shared is accepted even at the limit.
        assert_eq!(g.check_share(1, 3, 2), Ok(false));
        assert_eq!(g.check_revoke(1, 4), Err(CommandError::NotShared));
        assert_eq!(g.check_revoke(1, 1), Err(CommandError::InvalidEmpire));
        assert_eq!(g.check_revoke(1, 2), Ok(()));
    }

    #[test]
    fn set_records_only_real_changes() {
        let mut g = Grants::default();
        g.set(1, 2, true, true);
        g.set(1, 2, true, true);
        g.set(3, 2, true, false);
        g.set(1, 5, false, true);
        assert_eq!(g.all(), vec![(1, 2), (3, 2)]);
        assert_eq!(g.taken_by(2).collect::<Vec<_>>(), vec![1, 3]);
        assert_eq!(g.given_by(1).collect::<Vec<_>>(), vec![2]);
        assert_eq!(g.for_vision.len(), 2);
        assert_eq!(g.for_sessions.len(), 1);
        g.set(1, 2, false, true);
        assert!(!g.shares(1, 2));
        assert_eq!(g.all(), vec![(3, 2)]);
        assert_eq!(g.for_sessions.last().map(|c| c.on), Some(false));
    }
}
