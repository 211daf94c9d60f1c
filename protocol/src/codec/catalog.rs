//! Encoding and decoding of `ServerMsg::Catalog` (protocol version 3, SPEC.md §19.3).

use super::prim::*;
use crate::bits::{BitReader, BitWriter};
use crate::client::DecodeError;
use crate::economy::{Catalog, MAX_AMOUNTS, MAX_RECIPE_NAME, MAX_RECIPES, Recipe, RecipeOutput};
use crate::types::{EntityKind, ResourceKind};

/// Output tag of [`RecipeOutput::Resources`].
const OUTPUT_RESOURCES: u8 = 0;
/// Output tag of [`RecipeOutput::Unit`].
const OUTPUT_UNIT: u8 = 1;
/// Output tag of [`RecipeOutput::Building`].
const OUTPUT_BUILDING: u8 = 2;
/// Minimum bits of one recipe: id, name length, producer, inputs count, output tag and its
/// smallest body (a count or a kind), ticks.
const RECIPE_MIN_BITS: usize = 8 + 8 + 8 + 8 + 8 + 8 + 8;
/// Minimum bits of one amount: kind and a one-byte varint.
const AMOUNT_MIN_BITS: usize = 8 + 8;

pub(crate) fn write_catalog(w: &mut BitWriter, catalog: &Catalog) {
    write_count(w, catalog.recipes.len());
    for recipe in &catalog.recipes {
        write_recipe(w, recipe);
    }
}

pub(crate) fn read_catalog(r: &mut BitReader<'_>) -> Result<Catalog, DecodeError> {
    let n = read_count(r, "recipes", MAX_RECIPES, RECIPE_MIN_BITS)?;
    let recipes = (0..n).map(|_| read_recipe(r)).collect::<Result<_, _>>()?;
    Ok(Catalog { recipes })
}

fn write_recipe(w: &mut BitWriter, recipe: &Recipe) {
    write_varint(w, u64::from(recipe.id));
    write_string(w, &recipe.name);
    w.write_bits(u64::from(recipe.producer.code()), 8);
    write_amounts(w, &recipe.inputs);
    match &recipe.output {
        RecipeOutput::Resources(amounts) => {
            w.write_bits(u64::from(OUTPUT_RESOURCES), 8);
            write_amounts(w, amounts);
        }
        RecipeOutput::Unit(kind) => {
            w.write_bits(u64::from(OUTPUT_UNIT), 8);
            w.write_bits(u64::from(kind.code()), 8);
        }
        RecipeOutput::Building(kind) => {
            w.write_bits(u64::from(OUTPUT_BUILDING), 8);
            w.write_bits(u64::from(kind.code()), 8);
        }
    }
    write_varint(w, u64::from(recipe.ticks));
}

fn read_recipe(r: &mut BitReader<'_>) -> Result<Recipe, DecodeError> {
    let id = read_varint_u16(r)?;
    let name = read_string(r, MAX_RECIPE_NAME)?;
    let producer = read_enum(r, "entity_kind", EntityKind::from_u8)?;
    let inputs = read_amounts(r, "inputs")?;
    let output = match r.read_u8()? {
        OUTPUT_RESOURCES => RecipeOutput::Resources(read_amounts(r, "outputs")?),
        OUTPUT_UNIT => RecipeOutput::Unit(read_enum(r, "entity_kind", EntityKind::from_u8)?),
        OUTPUT_BUILDING => {
            RecipeOutput::Building(read_enum(r, "entity_kind", EntityKind::from_u8)?)
        }
        value => {
            return Err(DecodeError::BadEnum {
                field: "recipe_output",
                value,
            });
        }
    };
    let ticks = read_varint_u32(r)?;
    Ok(Recipe {
        id,
        name,
        producer,
        inputs,
        output,
        ticks,
    })
}

fn write_amounts(w: &mut BitWriter, amounts: &[(ResourceKind, u32)]) {
    write_count(w, amounts.len());
    for (kind, amount) in amounts {
        w.write_bits(u64::from(kind.code()), 8);
        write_varint(w, u64::from(*amount));
    }
}

fn read_amounts(
    r: &mut BitReader<'_>,
    field: &'static str,
) -> Result<Vec<(ResourceKind, u32)>, DecodeError> {
    let n = read_count(r, field, MAX_AMOUNTS, AMOUNT_MIN_BITS)?;
    (0..n)
        .map(|_| {
            let kind = read_enum(r, "resource_kind", ResourceKind::from_u8)?;
            Ok((kind, read_varint_u32(r)?))
        })
        .collect()
}
