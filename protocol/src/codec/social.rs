//! Encoding and decoding of `ServerMsg::Social` (protocol version 5, SPEC.md §21.3).

use super::prim::*;
use crate::bits::{BitReader, BitWriter};
use crate::client::DecodeError;
use crate::social::*;

/// Kinds of a `Social` message: the 8-bit code after the type byte.
pub mod social_kind {
    /// `SocialMsg::Chat`.
    pub const CHAT: u8 = 0;
    /// `SocialMsg::Alliance`.
    pub const ALLIANCE: u8 = 1;
    /// `SocialMsg::Member`.
    pub const MEMBER: u8 = 2;
    /// `SocialMsg::Invite`.
    pub const INVITE: u8 = 3;
}

/// Write a `Social` message's fields (after its type byte).
pub(crate) fn write_social(w: &mut BitWriter, msg: &SocialMsg) {
    let kind = |w: &mut BitWriter, k: u8| w.write_bits(u64::from(k), 8);
    match msg {
        SocialMsg::Chat(c) => {
            kind(w, social_kind::CHAT);
            w.write_bits(u64::from(c.channel.code()), 8);
            write_varint(w, c.from);
            write_string(w, &c.from_name);
            if c.channel == ChatChannel::Private {
                write_varint(w, c.to);
            }
            write_string(w, &c.text);
        }
        SocialMsg::Alliance {
            alliance,
            name,
            role,
        } => {
            kind(w, social_kind::ALLIANCE);
            write_varint(w, u64::from(*alliance));
            write_string(w, name);
            w.write_bits(u64::from(role.code()), 8);
        }
        SocialMsg::Member {
            alliance,
            empire,
            name,
            role,
            present,
        } => {
            kind(w, social_kind::MEMBER);
            write_varint(w, u64::from(*alliance));
            write_varint(w, u64::from(*empire));
            write_string(w, name);
            w.write_bits(u64::from(role.code()), 8);
            w.write_bit(*present);
        }
        SocialMsg::Invite {
            alliance,
            name,
            from,
            active,
        } => {
            kind(w, social_kind::INVITE);
            write_varint(w, u64::from(*alliance));
            write_string(w, name);
            write_varint(w, u64::from(*from));
            w.write_bit(*active);
        }
    }
}

/// Read a `Social` message's fields (after its type byte).
pub(crate) fn read_social(r: &mut BitReader<'_>) -> Result<SocialMsg, DecodeError> {
    match r.read_u8()? {
        social_kind::CHAT => {
            let channel = read_enum(r, "chat_channel", ChatChannel::from_u8)?;
            let from = read_varint(r, 53)?;
            let from_name = read_string(r, MAX_PLAYER_NAME_BYTES)?;
            let to = if channel == ChatChannel::Private {
                read_varint(r, 53)?
            } else {
                0
            };
            let text = read_string(r, MAX_CHAT_BYTES)?;
            Ok(SocialMsg::Chat(ChatMessage {
                channel,
                from,
                from_name,
                to,
                text,
            }))
        }
        social_kind::ALLIANCE => {
            let alliance = read_varint_u32(r)?;
            let name = read_string(r, MAX_ALLIANCE_NAME_BYTES)?;
            let role = read_enum(r, "alliance_role", AllianceRole::from_u8)?;
            Ok(SocialMsg::Alliance {
                alliance,
                name,
                role,
            })
        }
        social_kind::MEMBER => {
            let alliance = read_varint_u32(r)?;
            let empire = read_varint_u32(r)?;
            let name = read_string(r, MAX_PLAYER_NAME_BYTES)?;
            let role = read_enum(r, "alliance_role", AllianceRole::from_u8)?;
            let present = r.read_bit()?;
            Ok(SocialMsg::Member {
                alliance,
                empire,
                name,
                role,
                present,
            })
        }
        social_kind::INVITE => {
            let alliance = read_varint_u32(r)?;
            let name = read_string(r, MAX_ALLIANCE_NAME_BYTES)?;
            let from = read_varint_u32(r)?;
            let active = r.read_bit()?;
            Ok(SocialMsg::Invite {
                alliance,
                name,
                from,
                active,
            })
        }
        other => Err(DecodeError::BadEnum {
            field: "social_kind",
            value: other,
        }),
    }
}
