//! Each empire's stock of resources: paid into by queued jobs, refunded by cancelled ones,
//! filled by completed ones, and sent to the empire's sessions when it changes.

use crate::config::slot;
use bevy_ecs::prelude::*;
use starlane_protocol::{CommandError, EmpireId, ResourceKind};
use std::collections::{BTreeSet, HashMap};

/// An amount of each resource, indexed by [`slot`].
pub type Stock = [u32; 3];

/// Every empire's stock; an empire not yet here holds the configured start.
#[derive(Resource, Debug, Default)]
pub struct Stockpiles {
    stock: HashMap<EmpireId, Stock>,
    start: Stock,
    /// Empires whose stock changed since their sessions last heard of it.
    pub(super) changed: BTreeSet<EmpireId>,
}

impl Stockpiles {
    /// Empty, with `start` for every new empire.
    pub fn new(start: Stock) -> Self {
        Self {
            start,
            ..Self::default()
        }
    }

    /// The stock of `empire`.
    pub fn get(&self, empire: EmpireId) -> Stock {
        self.stock.get(&empire).copied().unwrap_or(self.start)
    }

    /// What `inputs` cost as a [`Stock`].
    pub fn cost(inputs: &[(ResourceKind, u32)]) -> Stock {
        let mut cost = Stock::default();
        for (kind, amount) in inputs {
            cost[slot(*kind)] = cost[slot(*kind)].saturating_add(*amount);
        }
        cost
    }

    /// Whether `empire` holds at least `cost`.
    pub fn can_pay(&self, empire: EmpireId, cost: Stock) -> bool {
        self.get(empire).iter().zip(cost).all(|(h, c)| *h >= c)
    }

    /// `Ok` if `empire` can pay `cost`, else `InsufficientResources` (takes nothing).
    pub fn check(&self, empire: EmpireId, cost: Stock) -> Result<(), CommandError> {
        if self.can_pay(empire, cost) {
            Ok(())
        } else {
            Err(CommandError::InsufficientResources)
        }
    }

    /// Take `cost` from `empire`'s stock, or refuse with `InsufficientResources` and take
    /// nothing.
    pub fn pay(&mut self, empire: EmpireId, cost: Stock) -> Result<(), CommandError> {
        self.check(empire, cost)?;
        let have = self.get(empire);
        if cost != Stock::default() {
            let left = std::array::from_fn(|i| have[i] - cost[i]);
            self.set(empire, left);
        }
        Ok(())
    }

    /// Add `amounts` to `empire`'s stock (saturating).
    pub fn add(&mut self, empire: EmpireId, amounts: Stock) {
        if amounts == Stock::default() {
            return;
        }
        let have = self.get(empire);
        self.set(
            empire,
            std::array::from_fn(|i| have[i].saturating_add(amounts[i])),
        );
    }

    /// Set `empire`'s stock (loading a snapshot, tests).
    pub fn set(&mut self, empire: EmpireId, stock: Stock) {
        self.stock.insert(empire, stock);
        self.changed.insert(empire);
    }

    /// Every stored stock, sorted by empire (a world snapshot).
    pub fn all(&self) -> Vec<(EmpireId, Stock)> {
        let mut out: Vec<_> = self.stock.iter().map(|(e, s)| (*e, *s)).collect();
        out.sort_unstable_by_key(|(e, _)| *e);
        out
    }

    /// The stock as the link's `Resources` message carries it.
    pub fn entries(stock: Stock) -> Vec<(ResourceKind, u32)> {
        ResourceKind::ALL
            .iter()
            .map(|k| (*k, stock[slot(*k)]))
            .collect()
    }
}
