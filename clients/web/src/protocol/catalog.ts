// The recipe catalog (protocol/SPEC.md §19.3): the fields of the Catalog message (edge →
// client, protocol version 3) after its type byte. Used by codec.ts.

import type { BitReader, BitWriter } from "./bits";
import {
  ENTITY_KINDS,
  RESOURCE_KINDS,
  U16,
  U32,
  checkEnum,
  checkUint,
  readEnum,
  readList,
  readString,
  readVarint,
  writeList,
  writeString,
  writeVarint,
} from "./prim";
import { DecodeError, MAX_AMOUNTS, MAX_RECIPES, MAX_RECIPE_NAME, RecipeOutputTag } from "./types";
import type { Catalog, Recipe, RecipeOutput, ResourceAmount } from "./types";

/**
 * Minimum bits of one recipe: id, name length, producer, inputs count, output tag and its
 * smallest body (a count or a kind), ticks.
 */
const RECIPE_MIN_BITS = 7 * 8;
/** Minimum bits of one amount: kind and a one-byte varint. */
const AMOUNT_MIN_BITS = 8 + 8;

/** Writes a catalog's fields (after the type byte); throws RangeError for what the wire cannot carry. */
export function writeCatalog(w: BitWriter, c: Catalog): void {
  writeList(w, c.recipes, "recipes", writeRecipe, MAX_RECIPES);
}

/** Reads a catalog's fields (after the type byte); throws DecodeError. */
export function readCatalog(r: BitReader): Catalog {
  return { recipes: readList(r, "recipes", RECIPE_MIN_BITS, readRecipe, MAX_RECIPES) };
}

function writeRecipe(w: BitWriter, recipe: Recipe): void {
  writeVarint(w, checkUint(recipe.id, U16, "recipe id"));
  writeString(w, recipe.name, MAX_RECIPE_NAME, "recipe name");
  w.writeBits(checkEnum(recipe.producer, ENTITY_KINDS, "entity kind"), 8);
  writeAmounts(w, recipe.inputs, "inputs");
  const out = recipe.output;
  switch (out.type) {
    case "resources":
      w.writeBits(RecipeOutputTag.Resources, 8);
      writeAmounts(w, out.amounts, "outputs");
      break;
    case "unit":
      w.writeBits(RecipeOutputTag.Unit, 8);
      w.writeBits(checkEnum(out.kind, ENTITY_KINDS, "entity kind"), 8);
      break;
    case "building":
      w.writeBits(RecipeOutputTag.Building, 8);
      w.writeBits(checkEnum(out.kind, ENTITY_KINDS, "entity kind"), 8);
      break;
    default:
      throw new RangeError(`invalid recipe output ${JSON.stringify(out)}`);
  }
  writeVarint(w, checkUint(recipe.ticks, U32, "ticks"));
}

function readRecipe(r: BitReader): Recipe {
  const id = readVarint(r, 16);
  const name = readString(r, MAX_RECIPE_NAME);
  const producer = readEnum(r, 8, ENTITY_KINDS, "entity kind");
  const inputs = readAmounts(r, "inputs");
  const tag = r.readBits(8);
  let output: RecipeOutput;
  switch (tag) {
    case RecipeOutputTag.Resources:
      output = { type: "resources", amounts: readAmounts(r, "outputs") };
      break;
    case RecipeOutputTag.Unit:
      output = { type: "unit", kind: readEnum(r, 8, ENTITY_KINDS, "entity kind") };
      break;
    case RecipeOutputTag.Building:
      output = { type: "building", kind: readEnum(r, 8, ENTITY_KINDS, "entity kind") };
      break;
    default:
      throw new DecodeError("bad_enum", `recipe output ${tag}`);
  }
  return { id, name, producer, inputs, output, ticks: readVarint(r, 32) };
}

function writeAmounts(w: BitWriter, amounts: readonly ResourceAmount[], what: string): void {
  writeList(
    w,
    amounts,
    what,
    (w2, a) => {
      w2.writeBits(checkEnum(a.kind, RESOURCE_KINDS, "resource kind"), 8);
      writeVarint(w2, checkUint(a.amount, U32, "amount"));
    },
    MAX_AMOUNTS,
  );
}

function readAmounts(r: BitReader, field: string): ResourceAmount[] {
  return readList(
    r,
    field,
    AMOUNT_MIN_BITS,
    (rr) => {
      const kind = readEnum(rr, 8, RESOURCE_KINDS, "resource kind");
      return { kind, amount: readVarint(rr, 32) };
    },
    MAX_AMOUNTS,
  );
}
