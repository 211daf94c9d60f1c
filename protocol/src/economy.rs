//! The economy's wire types (protocol version 3, SPEC.md §19): the region's recipe catalog
//! that a client receives once per session, and the production-job events of its buildings.

use crate::types::{EntityId, EntityKind, JobId, RecipeId, ResourceKind, wire_enum};
use serde::{Deserialize, Serialize};

/// Longest recipe name on the wire, in bytes.
pub const MAX_RECIPE_NAME: usize = 32;
/// Most recipes in a catalog.
pub const MAX_RECIPES: usize = 64;
/// Most entries in a recipe's inputs or resource outputs (one per [`ResourceKind`]).
pub const MAX_AMOUNTS: usize = ResourceKind::ALL.len();

/// Every recipe of the region: what clients show in build and train menus.
#[derive(
    Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, bitcode::Encode, bitcode::Decode,
)]
pub struct Catalog {
    /// The recipes, in id order.
    pub recipes: Vec<Recipe>,
}

/// One recipe: what a producer makes from what, in how long.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bitcode::Encode, bitcode::Decode)]
pub struct Recipe {
    /// The id that `Train` names.
    pub id: RecipeId,
    /// A stable lowercase name (at most [`MAX_RECIPE_NAME`] bytes).
    pub name: String,
    /// The unit or building kind that makes it.
    pub producer: EntityKind,
    /// What a job of it costs when queued (refunded on cancel).
    pub inputs: Vec<(ResourceKind, u32)>,
    /// What it makes.
    pub output: RecipeOutput,
    /// Ticks a job takes at full efficiency.
    pub ticks: u32,
}

/// What a recipe makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bitcode::Encode, bitcode::Decode)]
pub enum RecipeOutput {
    /// Resources added to the empire's stock (scaled by the building's efficiency).
    Resources(Vec<(ResourceKind, u32)>),
    /// A unit of this kind, spawned on the building's hex.
    Unit(EntityKind),
    /// A building of this kind (a `Build` command's recipe): the site is its producer.
    Building(EntityKind),
}

/// A production job changed state in one of the empire's buildings.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    bitcode::Encode,
    bitcode::Decode,
)]
pub struct JobEvent {
    /// The building (or construction site) holding the job.
    pub building: EntityId,
    /// The job's id in that building.
    pub job: JobId,
    /// Its recipe.
    pub recipe: RecipeId,
    /// What happened.
    pub state: JobState,
}

wire_enum! {
    /// What happened to a production job. Values are stable wire codes.
    pub enum JobState {
        /// Queued behind other jobs (paid).
        Queued = 0 => "queued",
        /// Started: it completes after its recipe's ticks at the building's efficiency.
        Started = 1 => "started",
        /// Completed: its output was delivered.
        Completed = 2 => "completed",
        /// Cancelled by its owner and refunded. (A destroyed building's jobs end with it,
        /// without an event: the building leaves the view.)
        Cancelled = 3 => "cancelled",
        /// A repeating job could not be queued again: the empire lacked its inputs.
        Stalled = 4 => "stalled",
    }
}
