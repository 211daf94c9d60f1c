//! The two comparison encodings of an [`Update`]: the JSON "update" message of seed 004 and
//! MessagePack of the same message (named maps as a typical server sends, and a positional
//! array form as the most compact MessagePack a server could reasonably choose).
//!
//! The JSON message (seed 004, "JSON Message Format (to Web Client)"), compact (no spaces):
//!
//! ```text
//! {"type":"update","tick":12345,
//!  "appeared":[{"id":"unit_123","type":"scout","pos":[10,5],"owner":"empire_7","health":100,"data":{}}],
//!  "changed":[{"id":"unit_456","pos":[11,6],"health":75}],
//!  "disappeared":["unit_789"],
//!  "vision":[{"hex":[10,5],"state":2}],
//!  "resources":{"credits":1500}}
//! ```
//!
//! Every key is always present (the seed's `DeltaUpdate` has no "omit empty" rule); a changed
//! entity carries only the fields that changed, as in the seed.
//!
//! The views below borrow the [`Update`] and serialize straight from it, so no encoding pays
//! for building an intermediate tree: the figures compare wire formats, not allocators.

use serde::ser::{Serialize, SerializeStruct, Serializer};
use starlane_protocol::{
    EmpireId, EntityChange, EntityId, EntityKind, EntityState, Hex, ResourceKind, Update,
    Visibility, VisionChange,
};

/// The seed's JSON "update" message of `update`, compact.
pub fn encode_json(update: &Update) -> Vec<u8> {
    serde_json::to_vec(&Named(update))
        .expect("the update view has only string map keys and infallible fields")
}

/// MessagePack of the same message with named fields (`rmp_serde::to_vec_named`).
pub fn encode_msgpack_named(update: &Update) -> Vec<u8> {
    rmp_serde::to_vec_named(&Named(update))
        .expect("writing MessagePack into a Vec cannot fail and every length is known")
}

/// MessagePack of the same information as positional arrays (`rmp_serde::to_vec`):
/// `["update", tick, [[id, type, [q, r], owner, health, {}]..], [[id, [q, r]|nil,
/// health|nil]..], [id..], [[[q, r], state]..], {resource: amount}]`.
pub fn encode_msgpack_compact(update: &Update) -> Vec<u8> {
    rmp_serde::to_vec(&Compact(update))
        .expect("writing MessagePack into a Vec cannot fail and every length is known")
}

/// The seed's name of an entity type: the protocol's kind name ([`EntityKind::name`]).
pub fn kind_name(kind: EntityKind) -> &'static str {
    kind.name()
}

/// The seed's name of a resource.
pub fn resource_name(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Credits => "credits",
        ResourceKind::Metal => "metal",
        ResourceKind::Crystal => "crystal",
    }
}

/// The seed's numeric vision state: 0 shroud, 1 fog, 2 visible.
pub fn visibility_code(state: Visibility) -> u8 {
    state.code()
}

/// An entity id as the seed writes it: `"unit_<id>"`.
struct UnitName(EntityId);

impl Serialize for UnitName {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("unit_{}", self.0))
    }
}

/// An empire id as the seed writes it: `"empire_<id>"`.
struct EmpireName(EmpireId);

impl Serialize for EmpireName {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("empire_{}", self.0))
    }
}

/// A hex as the seed writes it: `[q, r]`.
fn pos(h: Hex) -> [i32; 2] {
    [h.q, h.r]
}

/// The seed's empty per-entity `"data": {}`.
struct EmptyData;

impl Serialize for EmptyData {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(std::iter::empty::<(u8, u8)>())
    }
}

/// A list serialized from a slice through a per-element view.
struct ListOf<'a, T, V>(&'a [T], fn(&'a T) -> V);

impl<'a, T, V: Serialize> Serialize for ListOf<'a, T, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(self.1))
    }
}

/// The `resources` object: `{"credits": 1500, ..}` in the update's order.
struct Resources<'a>(&'a [(ResourceKind, u32)]);

impl Serialize for Resources<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (resource_name(*k), *v)))
    }
}

/// The named (object) form of the whole message.
struct Named<'a>(&'a Update);

impl Serialize for Named<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let u = self.0;
        let mut m = s.serialize_struct("update", 7)?;
        m.serialize_field("type", "update")?;
        m.serialize_field("tick", &u.tick)?;
        m.serialize_field("appeared", &ListOf(&u.appeared, NamedAppeared))?;
        m.serialize_field("changed", &ListOf(&u.changed, NamedChanged))?;
        m.serialize_field("disappeared", &ListOf(&u.disappeared, |id| UnitName(*id)))?;
        m.serialize_field("vision", &ListOf(&u.vision, NamedVision))?;
        m.serialize_field("resources", &Resources(&u.resources))?;
        m.end()
    }
}

/// `{"id","type","pos","owner","health","data"}` of an appeared entity.
struct NamedAppeared<'a>(&'a EntityState);

impl Serialize for NamedAppeared<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let e = self.0;
        let mut m = s.serialize_struct("appeared", 6)?;
        m.serialize_field("id", &UnitName(e.id))?;
        m.serialize_field("type", kind_name(e.kind))?;
        m.serialize_field("pos", &pos(e.pos))?;
        m.serialize_field("owner", &EmpireName(e.owner))?;
        m.serialize_field("health", &e.health)?;
        m.serialize_field("data", &EmptyData)?;
        m.end()
    }
}

/// `{"id", "pos"?, "health"?}` of a changed entity: only the fields that changed.
struct NamedChanged<'a>(&'a EntityChange);

impl Serialize for NamedChanged<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let c = self.0;
        let len = 1 + usize::from(c.pos.is_some()) + usize::from(c.health.is_some());
        let mut m = s.serialize_struct("changed", len)?;
        m.serialize_field("id", &UnitName(c.id))?;
        if let Some(p) = c.pos {
            m.serialize_field("pos", &pos(p))?;
        }
        if let Some(h) = c.health {
            m.serialize_field("health", &h)?;
        }
        m.end()
    }
}

/// `{"hex": [q, r], "state": n}`.
struct NamedVision<'a>(&'a VisionChange);

impl Serialize for NamedVision<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_struct("vision", 2)?;
        m.serialize_field("hex", &pos(self.0.hex))?;
        m.serialize_field("state", &visibility_code(self.0.state))?;
        m.end()
    }
}

/// The positional (array) form of the whole message.
struct Compact<'a>(&'a Update);

impl Serialize for Compact<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let u = self.0;
        (
            "update",
            u.tick,
            ListOf(&u.appeared, |e| {
                (
                    UnitName(e.id),
                    kind_name(e.kind),
                    pos(e.pos),
                    EmpireName(e.owner),
                    e.health,
                    EmptyData,
                )
            }),
            ListOf(&u.changed, |c| (UnitName(c.id), c.pos.map(pos), c.health)),
            ListOf(&u.disappeared, |id| UnitName(*id)),
            ListOf(&u.vision, |v| (pos(v.hex), visibility_code(v.state))),
            Resources(&u.resources),
        )
            .serialize(s)
    }
}
