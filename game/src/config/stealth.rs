//! `[stealth]`: vision types (SPEC.md §20.7): which kinds are cloaked, and how far each kind
//! detects cloaked units.

use super::vision_cache::kind_list;
use super::{ConfigError, PerKind, check_range, per_kind_fields};
use serde::Deserialize;
use starlane_protocol::EntityKind;

/// `[stealth]` (game/README.md, "Vision types").
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StealthConfig {
    /// Cloaked kinds (names as in `[vision]`; not resource fields): another empire sees a
    /// cloaked unit only on hexes its detectors reach; its own empire always sees it.
    /// Default: none.
    pub cloaked: Vec<String>,
    /// Detection range in hexes per kind (0 = detects nothing; at most the kind's vision
    /// range): the owner sees other empires' cloaked units within it. Units get detectors
    /// only while some kind is cloaked.
    pub detect: PerKind,
}

impl Default for StealthConfig {
    fn default() -> Self {
        Self {
            cloaked: Vec::new(),
            detect: PerKind {
                scout: 2,
                frigate: 2,
                station: 4,
                extractor: 0,
                shipyard: 2,
                metal_field: 0,
                crystal_field: 0,
            },
        }
    }
}

impl StealthConfig {
    /// Check `cloaked` names kinds that belong to empires and each detection range is within
    /// the kind's `vision` range.
    pub fn validate(&self, vision: &PerKind) -> Result<(), ConfigError> {
        let kinds = kind_list("stealth.cloaked", &self.cloaked)?;
        if let Some(k) = kinds.iter().find(|k| k.deposit().is_some()) {
            return Err(ConfigError::Invalid {
                field: "stealth.cloaked",
                problem: format!(
                    "{} is a resource field, which belongs to no empire",
                    k.name()
                ),
                fix: "list ship and building kinds only, e.g. [\"scout\"]",
            });
        }
        let fields = per_kind_fields!("stealth.detect");
        for (kind, field) in EntityKind::ALL.iter().zip(fields) {
            check_range(
                field,
                self.detect.get(*kind).into(),
                0,
                vision.get(*kind).into(),
                "use 0 (detects nothing) up to the kind's [vision] range",
            )?;
        }
        Ok(())
    }

    /// The cloaked kinds (names that are no kind are left out; `validate` refuses them).
    pub fn cloaked_kinds(&self) -> Vec<EntityKind> {
        self.cloaked
            .iter()
            .filter_map(|n| EntityKind::from_name(n))
            .collect()
    }
}
