//! The recipe file (`configs/recipes.toml`, or `[economy] recipes`): parsed and checked into
//! a [`RecipeBook`], the catalog clients receive plus what only the region needs.

use super::ConfigError;
use serde::Deserialize;
use starlane_protocol::economy::{Catalog, MAX_RECIPE_NAME, MAX_RECIPES, Recipe, RecipeOutput};
use starlane_protocol::{EntityKind, RecipeId, ResourceKind};
use std::collections::{BTreeMap, HashSet};

/// The built-in recipe file.
pub const DEFAULT_RECIPES: &str = include_str!("../../../configs/recipes.toml");

/// Largest amount of one resource in a recipe.
const MAX_AMOUNT: u32 = 1_000_000;

/// The region's recipes: the catalog its clients receive and, per recipe, whether its output
/// scales with the resource fields next to the building.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecipeBook {
    /// The catalog, ids from 1 in file order.
    pub catalog: Catalog,
    /// `deposit` of each recipe, in catalog order.
    pub deposit: Vec<bool>,
}

impl RecipeBook {
    /// The recipe with `id` and its deposit flag.
    pub fn get(&self, id: RecipeId) -> Option<(&Recipe, bool)> {
        let i = usize::from(id).checked_sub(1)?;
        Some((self.catalog.recipes.get(i)?, *self.deposit.get(i)?))
    }

    /// The recipe `producer` makes into a building of `kind`: `Err(true)` when another
    /// producer has one, `Err(false)` when none does.
    pub fn building(&self, producer: EntityKind, kind: EntityKind) -> Result<&Recipe, bool> {
        let mut any = false;
        for r in &self.catalog.recipes {
            if r.output == RecipeOutput::Building(kind) {
                if r.producer == producer {
                    return Ok(r);
                }
                any = true;
            }
        }
        Err(any)
    }

    /// Parse and check a recipe file; `ticks` converts seconds to whole ticks; `file` names it
    /// in errors.
    pub fn parse(text: &str, tick_hz: u32, file: &str) -> Result<Self, ConfigError> {
        let raw: RecipeFile = toml::from_str(text).map_err(|e| ConfigError::Recipe {
            file: file.into(),
            recipe: String::new(),
            problem: e.to_string(),
            fix: "see configs/recipes.toml for the format",
        })?;
        if raw.recipe.len() > MAX_RECIPES {
            return Err(ConfigError::Recipe {
                file: file.into(),
                recipe: String::new(),
                problem: format!("has {} recipes, at most {MAX_RECIPES}", raw.recipe.len()),
                fix: "remove recipes",
            });
        }
        let mut book = RecipeBook::default();
        let mut names = HashSet::new();
        for (i, r) in raw.recipe.into_iter().enumerate() {
            let err = |problem: String, fix: &'static str| ConfigError::Recipe {
                file: file.into(),
                recipe: format!("#{} ({:?})", i + 1, r.name),
                problem,
                fix,
            };
            let recipe = r.check(i, tick_hz).map_err(|(p, f)| err(p, f))?;
            if !names.insert(recipe.name.clone()) {
                return Err(err(
                    "repeats an earlier name".into(),
                    "give it a unique name",
                ));
            }
            book.deposit.push(r.deposit);
            book.catalog.recipes.push(recipe);
        }
        Ok(book)
    }
}

/// A recipe file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecipeFile {
    #[serde(default)]
    recipe: Vec<RawRecipe>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecipe {
    name: String,
    producer: String,
    #[serde(default)]
    inputs: BTreeMap<String, u32>,
    secs: f64,
    output: RawOutput,
    #[serde(default)]
    deposit: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "lowercase")]
enum RawOutput {
    Building(String),
    Unit(String),
    Resources(BTreeMap<String, u32>),
}

type Problem = (String, &'static str);

impl RawRecipe {
    fn check(&self, index: usize, tick_hz: u32) -> Result<Recipe, Problem> {
        let name_ok = !self.name.is_empty()
            && self.name.len() <= MAX_RECIPE_NAME
            && self
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !name_ok {
            return Err((
                "name must be 1 to 32 bytes of a-z, 0-9 and _".into(),
                "rename it, e.g. \"train_scout\"",
            ));
        }
        let producer = kind(&self.producer, "producer")?;
        let output = match &self.output {
            RawOutput::Building(k) => RecipeOutput::Building(kind(k, "output.building")?),
            RawOutput::Unit(k) => RecipeOutput::Unit(kind(k, "output.unit")?),
            RawOutput::Resources(m) => RecipeOutput::Resources(amounts(m, "output.resources")?),
        };
        check_shape(producer, &output, self.deposit)?;
        if !(0.05..=3600.0).contains(&self.secs) {
            return Err((
                format!("secs is {}, must be in 0.05..=3600", self.secs),
                "use e.g. secs = 5",
            ));
        }
        // At most 3600 s × 120 Hz: the product fits in u32.
        let ticks = (self.secs * f64::from(tick_hz)).ceil().max(1.0) as u32;
        Ok(Recipe {
            // At most MAX_RECIPES (64) recipes: the id fits in u16.
            id: RecipeId::try_from(index + 1).unwrap_or(RecipeId::MAX),
            name: self.name.clone(),
            producer,
            inputs: amounts(&self.inputs, "inputs")?,
            output,
            ticks,
        })
    }
}

/// Producers and outputs that fit together: buildings are made by ships, everything else by
/// buildings; units are ships; only resource outputs may be deposit-scaled.
fn check_shape(producer: EntityKind, output: &RecipeOutput, deposit: bool) -> Result<(), Problem> {
    let ship = |k: EntityKind| !k.is_building() && k.deposit().is_none();
    match output {
        RecipeOutput::Building(k) if !k.is_building() => Err((
            format!("output.building is {:?}, not a building kind", k.name()),
            "use station, extractor or shipyard",
        )),
        RecipeOutput::Building(_) if !ship(producer) => Err((
            format!(
                "a building is built by a ship, not by {:?}",
                producer.name()
            ),
            "use producer = \"frigate\" or \"scout\"",
        )),
        RecipeOutput::Unit(k) if !ship(*k) => Err((
            format!("output.unit is {:?}, not a ship kind", k.name()),
            "use scout or frigate",
        )),
        RecipeOutput::Unit(_) | RecipeOutput::Resources(_) if !producer.is_building() => Err((
            format!("producer {:?} is not a building", producer.name()),
            "use station, extractor or shipyard",
        )),
        RecipeOutput::Resources(r) if r.is_empty() => Err((
            "output.resources is empty".into(),
            "name at least one resource, e.g. { metal = 10 }",
        )),
        RecipeOutput::Building(_) | RecipeOutput::Unit(_) if deposit => Err((
            "deposit = true needs a resources output".into(),
            "remove deposit",
        )),
        _ => Ok(()),
    }
}

fn kind(name: &str, field: &str) -> Result<EntityKind, Problem> {
    EntityKind::from_name(name).ok_or_else(|| {
        (
            format!("{field} {name:?} is not an entity kind"),
            "use one of scout, frigate, station, extractor, shipyard",
        )
    })
}

fn amounts(map: &BTreeMap<String, u32>, field: &str) -> Result<Vec<(ResourceKind, u32)>, Problem> {
    let mut out = Vec::with_capacity(map.len());
    for (name, amount) in map {
        let kind = ResourceKind::from_name(name).ok_or_else(|| {
            (
                format!("{field} names {name:?}, not a resource"),
                "use credits, metal or crystal",
            )
        })?;
        if *amount == 0 || *amount > MAX_AMOUNT {
            return Err((
                format!("{field}.{name} is {amount}, must be in 1..={MAX_AMOUNT}"),
                "leave it out for none",
            ));
        }
        out.push((kind, *amount));
    }
    out.sort_by_key(|(k, _)| k.code());
    Ok(out)
}
