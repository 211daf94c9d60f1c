//! Encoding and decoding of [`ServerMsg`] (SPEC.md §6).

use super::catalog::{read_catalog, write_catalog};
use super::delta_msg::{read_entity_packet, write_entity_packet};
use super::prim::*;
use super::{MAX_LIST_LEN, MAX_URL_LEN, server_type};
use crate::bits::{BitReader, BitWriter};
use crate::client::{DecodeError, ServerMsg};
use crate::types::*;

/// Minimum bits of one `EntityState`: id, kind, owner, hex, health.
const ENTITY_STATE_MIN_BITS: usize = 8 + 8 + 8 + HEX_MIN_BITS + 8;
/// Minimum bits of one `EntityChange`: id and two presence bits.
const ENTITY_CHANGE_MIN_BITS: usize = 8 + 2;
/// Minimum bits of one entity id.
const ENTITY_ID_MIN_BITS: usize = 8;
/// Minimum bits of one `VisionChange`: hex and a 2-bit state.
const VISION_CHANGE_MIN_BITS: usize = HEX_MIN_BITS + 2;
/// Minimum bits of one resource entry: kind and amount.
const RESOURCE_MIN_BITS: usize = 8 + 8;
/// Width of the `Visibility` field.
const VISIBILITY_BITS: u32 = 2;

impl ServerMsg {
    /// Encode this message into its bit-packed wire form (SPEC.md §6).
    ///
    /// Lists longer than [`MAX_LIST_LEN`] entries, or a `Welcome.user_id` above
    /// [`super::MAX_USER_ID`], encode, but every decoder refuses them.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = BitWriter::with_capacity(64);
        match self {
            ServerMsg::Welcome {
                user_id,
                empire,
                tick_rate_hz,
            } => {
                w.write_bits(u64::from(server_type::WELCOME), 8);
                write_varint(&mut w, *user_id);
                write_varint(&mut w, u64::from(*empire));
                w.write_bits(u64::from(*tick_rate_hz), 8);
            }
            ServerMsg::Reject { reason } => {
                w.write_bits(u64::from(server_type::REJECT), 8);
                w.write_bits(*reason as u64, 8);
            }
            ServerMsg::Map(map) => {
                w.write_bits(u64::from(server_type::MAP), 8);
                write_map(&mut w, map);
            }
            ServerMsg::Update(update) => {
                w.write_bits(u64::from(server_type::UPDATE), 8);
                write_update(&mut w, update);
            }
            ServerMsg::CommandAck { seq } => {
                w.write_bits(u64::from(server_type::COMMAND_ACK), 8);
                write_varint(&mut w, u64::from(*seq));
            }
            ServerMsg::CommandRejected { seq, error } => {
                w.write_bits(u64::from(server_type::COMMAND_REJECTED), 8);
                write_varint(&mut w, u64::from(*seq));
                w.write_bits(*error as u64, 8);
            }
            ServerMsg::Pong { nonce } => {
                w.write_bits(u64::from(server_type::PONG), 8);
                w.write_bits(u64::from(*nonce), 32);
            }
            ServerMsg::EntityPacket(p) => {
                w.write_bits(u64::from(server_type::ENTITY_PACKET), 8);
                write_entity_packet(&mut w, p);
            }
            ServerMsg::Notice { kind, text } => {
                w.write_bits(u64::from(server_type::NOTICE), 8);
                w.write_bits(*kind as u64, 8);
                write_string(&mut w, text);
            }
            ServerMsg::Move {
                reason,
                connect_url,
                ticket,
            } => {
                w.write_bits(u64::from(server_type::MOVE), 8);
                w.write_bits(*reason as u64, 8);
                write_string(&mut w, connect_url);
                write_ticket(&mut w, ticket);
            }
            ServerMsg::ResumeTicket { ticket } => {
                w.write_bits(u64::from(server_type::RESUME_TICKET), 8);
                write_ticket(&mut w, ticket);
            }
            ServerMsg::Catalog(catalog) => {
                w.write_bits(u64::from(server_type::CATALOG), 8);
                write_catalog(&mut w, catalog);
            }
            ServerMsg::Social(msg) => {
                w.write_bits(u64::from(server_type::SOCIAL), 8);
                super::social::write_social(&mut w, msg);
            }
        }
        w.finish()
    }

    /// Decode one message, applying every check of SPEC.md §7 in order. Never panics.
    pub fn decode(bytes: &[u8]) -> Result<ServerMsg, DecodeError> {
        let mut r = BitReader::new(bytes);
        let msg = match r.read_u8()? {
            server_type::WELCOME => {
                let user_id = read_varint(&mut r, 53)?;
                let empire = read_varint_u32(&mut r)?;
                let tick_rate_hz = r.read_u8()?;
                ServerMsg::Welcome {
                    user_id,
                    empire,
                    tick_rate_hz,
                }
            }
            server_type::REJECT => ServerMsg::Reject {
                reason: read_enum(&mut r, "reject_reason", RejectReason::from_u8)?,
            },
            server_type::MAP => ServerMsg::Map(read_map(&mut r)?),
            server_type::UPDATE => ServerMsg::Update(read_update(&mut r)?),
            server_type::COMMAND_ACK => ServerMsg::CommandAck {
                seq: read_varint_u32(&mut r)?,
            },
            server_type::COMMAND_REJECTED => {
                let seq = read_varint_u32(&mut r)?;
                let error = read_enum(&mut r, "command_error", CommandError::from_u8)?;
                ServerMsg::CommandRejected { seq, error }
            }
            server_type::PONG => {
                // Thirty-two bits always fit in a u32.
                ServerMsg::Pong {
                    nonce: r.read_bits(32)? as u32,
                }
            }
            server_type::ENTITY_PACKET => ServerMsg::EntityPacket(read_entity_packet(&mut r)?),
            server_type::NOTICE => {
                let kind = read_enum(&mut r, "notice_kind", NoticeKind::from_u8)?;
                let text = read_string(&mut r, super::MAX_NOTICE_LEN)?;
                ServerMsg::Notice { kind, text }
            }
            server_type::MOVE => {
                let reason = read_enum(&mut r, "move_reason", MoveReason::from_u8)?;
                let connect_url = read_string(&mut r, MAX_URL_LEN)?;
                let ticket = read_ticket(&mut r)?;
                ServerMsg::Move {
                    reason,
                    connect_url,
                    ticket,
                }
            }
            server_type::RESUME_TICKET => ServerMsg::ResumeTicket {
                ticket: read_ticket(&mut r)?,
            },
            server_type::CATALOG => ServerMsg::Catalog(read_catalog(&mut r)?),
            server_type::SOCIAL => ServerMsg::Social(super::social::read_social(&mut r)?),
            other => return Err(DecodeError::UnknownType(other)),
        };
        r.finish()?;
        Ok(msg)
    }
}

fn write_map(w: &mut BitWriter, map: &MapInfo) {
    w.write_bits(u64::from(map.chunk_radius), 8);
    write_hexes(w, &map.chunks);
    write_hexes(w, &map.blocked);
}

fn read_map(r: &mut BitReader<'_>) -> Result<MapInfo, DecodeError> {
    let chunk_radius = r.read_u8()?;
    let chunks = read_hexes(r, "chunks")?;
    let blocked = read_hexes(r, "blocked")?;
    Ok(MapInfo {
        chunk_radius,
        chunks,
        blocked,
    })
}

fn write_hexes(w: &mut BitWriter, hexes: &[Hex]) {
    write_count(w, hexes.len());
    for h in hexes {
        write_hex(w, *h);
    }
}

fn read_hexes(r: &mut BitReader<'_>, field: &'static str) -> Result<Vec<Hex>, DecodeError> {
    let n = read_count(r, field, MAX_LIST_LEN, HEX_MIN_BITS)?;
    (0..n).map(|_| read_hex(r)).collect()
}

fn write_update(w: &mut BitWriter, u: &Update) {
    w.write_bits(u64::from(u.tick), 32);

    write_count(w, u.appeared.len());
    for e in &u.appeared {
        write_varint(w, u64::from(e.id));
        w.write_bits(e.kind as u64, 8);
        write_varint(w, u64::from(e.owner));
        write_hex(w, e.pos);
        write_varint(w, u64::from(e.health));
    }

    write_count(w, u.changed.len());
    for c in &u.changed {
        write_varint(w, u64::from(c.id));
        w.write_bit(c.pos.is_some());
        w.write_bit(c.health.is_some());
        if let Some(pos) = c.pos {
            write_hex(w, pos);
        }
        if let Some(health) = c.health {
            write_varint(w, u64::from(health));
        }
    }

    write_count(w, u.disappeared.len());
    for id in &u.disappeared {
        write_varint(w, u64::from(*id));
    }

    write_count(w, u.vision.len());
    for v in &u.vision {
        write_hex(w, v.hex);
        w.write_bits(v.state as u64, VISIBILITY_BITS);
    }

    write_count(w, u.resources.len());
    for (kind, amount) in &u.resources {
        w.write_bits(*kind as u64, 8);
        write_varint(w, u64::from(*amount));
    }
}

fn read_update(r: &mut BitReader<'_>) -> Result<Update, DecodeError> {
    // Thirty-two bits always fit in a u32.
    let tick = r.read_bits(32)? as u32;
    Ok(Update {
        tick,
        appeared: read_list(r, "appeared", ENTITY_STATE_MIN_BITS, read_entity_state)?,
        changed: read_list(r, "changed", ENTITY_CHANGE_MIN_BITS, read_entity_change)?,
        disappeared: read_list(r, "disappeared", ENTITY_ID_MIN_BITS, read_varint_u32)?,
        vision: read_list(r, "vision", VISION_CHANGE_MIN_BITS, read_vision_change)?,
        resources: read_list(r, "resources", RESOURCE_MIN_BITS, read_resource)?,
    })
}

fn read_list<T>(
    r: &mut BitReader<'_>,
    field: &'static str,
    min_bits: usize,
    item: fn(&mut BitReader<'_>) -> Result<T, DecodeError>,
) -> Result<Vec<T>, DecodeError> {
    let n = read_count(r, field, MAX_LIST_LEN, min_bits)?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(item(r)?);
    }
    Ok(out)
}

fn read_entity_state(r: &mut BitReader<'_>) -> Result<EntityState, DecodeError> {
    let id = read_varint_u32(r)?;
    let kind = read_enum(r, "entity_kind", EntityKind::from_u8)?;
    let owner = read_varint_u32(r)?;
    let pos = read_hex(r)?;
    let health = read_varint_u16(r)?;
    Ok(EntityState {
        id,
        kind,
        owner,
        pos,
        health,
    })
}

fn read_entity_change(r: &mut BitReader<'_>) -> Result<EntityChange, DecodeError> {
    let id = read_varint_u32(r)?;
    let has_pos = r.read_bit()?;
    let has_health = r.read_bit()?;
    let pos = if has_pos { Some(read_hex(r)?) } else { None };
    let health = if has_health {
        Some(read_varint_u16(r)?)
    } else {
        None
    };
    Ok(EntityChange { id, pos, health })
}

fn read_vision_change(r: &mut BitReader<'_>) -> Result<VisionChange, DecodeError> {
    let hex = read_hex(r)?;
    // Two bits always fit in a u8.
    let value = r.read_bits(VISIBILITY_BITS)? as u8;
    let state = Visibility::from_u8(value).ok_or(DecodeError::BadEnum {
        field: "visibility",
        value,
    })?;
    Ok(VisionChange { hex, state })
}

fn read_resource(r: &mut BitReader<'_>) -> Result<(ResourceKind, u32), DecodeError> {
    let kind = read_enum(r, "resource_kind", ResourceKind::from_u8)?;
    let amount = read_varint_u32(r)?;
    Ok((kind, amount))
}
