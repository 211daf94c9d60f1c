//! `[vision_cache]`: what an empire remembers of the entities it saw and no longer sees
//! (seed 004's cache policy; SPEC.md §20.6).

use super::{ConfigError, check_range};
use serde::Deserialize;
use starlane_protocol::EntityKind;

/// `[vision_cache]` (game/README.md, "Vision cache").
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VisionCacheConfig {
    /// Kinds an empire remembers when they leave its view (names as in `[vision]`). Only kinds
    /// that cannot move (`move_ticks` 0): where a ship stands out of sight is not the empire's
    /// to know. Default: every building and resource field.
    pub remember: Vec<String>,
    /// Remembered kinds kept until the empire sees their hex again; the others are forgotten
    /// after `keep_secs`. Default: stations and resource fields.
    pub permanent: Vec<String>,
    /// Seconds a remembered entity of a kind not in `permanent` is kept (1..=86400, default
    /// 600: seed 004's ten minutes for buildings).
    pub keep_secs: u32,
}

impl Default for VisionCacheConfig {
    fn default() -> Self {
        let names = |kinds: &[EntityKind]| kinds.iter().map(|k| k.name().to_owned()).collect();
        Self {
            remember: names(&[
                EntityKind::Station,
                EntityKind::Extractor,
                EntityKind::Shipyard,
                EntityKind::MetalField,
                EntityKind::CrystalField,
            ]),
            permanent: names(&[
                EntityKind::Station,
                EntityKind::MetalField,
                EntityKind::CrystalField,
            ]),
            keep_secs: 600,
        }
    }
}

/// The kinds of `field`'s list, each a known kind name.
pub(super) fn kind_list(
    field: &'static str,
    names: &[String],
) -> Result<Vec<EntityKind>, ConfigError> {
    names
        .iter()
        .map(|n| {
            EntityKind::from_name(n).ok_or_else(|| ConfigError::Invalid {
                field,
                problem: format!("{n:?} is not an entity kind"),
                fix: "use kind names such as \"scout\", \"station\", \"metal_field\"",
            })
        })
        .collect()
}

impl VisionCacheConfig {
    /// How long each remembered kind is kept: `None` for a kind not remembered, `Some(None)`
    /// until seen again, `Some(Some(secs))` otherwise.
    pub fn policy(&self) -> Result<Vec<(EntityKind, Option<u32>)>, ConfigError> {
        let remember = kind_list("vision_cache.remember", &self.remember)?;
        let permanent = kind_list("vision_cache.permanent", &self.permanent)?;
        if let Some(k) = permanent.iter().find(|k| !remember.contains(k)) {
            return Err(ConfigError::Invalid {
                field: "vision_cache.permanent",
                problem: format!("{} is permanent but not in remember", k.name()),
                fix: "list it in vision_cache.remember too, or drop it from permanent",
            });
        }
        Ok(remember
            .into_iter()
            .map(|k| (k, (!permanent.contains(&k)).then_some(self.keep_secs)))
            .collect())
    }

    /// Check the lists and the range; `moves(kind)`: whether a kind can move.
    pub fn validate(&self, moves: impl Fn(EntityKind) -> bool) -> Result<(), ConfigError> {
        check_range(
            "vision_cache.keep_secs",
            self.keep_secs.into(),
            1,
            86_400,
            "use e.g. 600",
        )?;
        for (kind, _) in self.policy()? {
            if moves(kind) {
                return Err(ConfigError::Invalid {
                    field: "vision_cache.remember",
                    problem: format!(
                        "{} can move (move_ticks > 0): where it stands out of sight is unknown",
                        kind.name()
                    ),
                    fix: "remember only buildings and resource fields",
                });
            }
        }
        Ok(())
    }
}
