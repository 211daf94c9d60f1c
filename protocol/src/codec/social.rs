//! Encoding and decoding of `ServerMsg::Social` (protocol version 5, SPEC.md §21.3; kinds 4
//! to 7, version 6, SPEC.md §22.4).

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
    /// `SocialMsg::Friend` (protocol version 6).
    pub const FRIEND: u8 = 4;
    /// `SocialMsg::Presence` (protocol version 6).
    pub const PRESENCE: u8 = 5;
    /// `SocialMsg::Mail` (protocol version 6).
    pub const MAIL: u8 = 6;
    /// `SocialMsg::MailGone` (protocol version 6).
    pub const MAIL_GONE: u8 = 7;
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
        SocialMsg::Friend {
            user,
            name,
            state,
            presence,
        } => {
            kind(w, social_kind::FRIEND);
            write_varint(w, *user);
            write_string(w, name);
            w.write_bits(u64::from(state.code()), 8);
            w.write_bits(u64::from(presence.code()), 8);
        }
        SocialMsg::Presence { user, presence } => {
            kind(w, social_kind::PRESENCE);
            write_varint(w, *user);
            w.write_bits(u64::from(presence.code()), 8);
        }
        SocialMsg::Mail(m) => {
            kind(w, social_kind::MAIL);
            write_varint(w, m.id);
            write_varint(w, m.from);
            write_string(w, &m.from_name);
            write_varint(w, m.sent_at);
            write_string(w, &m.text);
        }
        SocialMsg::MailGone { id } => {
            kind(w, social_kind::MAIL_GONE);
            write_varint(w, *id);
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
        social_kind::FRIEND => {
            let user = read_varint(r, 53)?;
            let name = read_string(r, MAX_PLAYER_NAME_BYTES)?;
            let state = read_enum(r, "friend_state", FriendState::from_u8)?;
            let presence = read_enum(r, "presence", Presence::from_u8)?;
            Ok(SocialMsg::Friend {
                user,
                name,
                state,
                presence,
            })
        }
        social_kind::PRESENCE => {
            let user = read_varint(r, 53)?;
            let presence = read_enum(r, "presence", Presence::from_u8)?;
            Ok(SocialMsg::Presence { user, presence })
        }
        social_kind::MAIL => {
            let id = read_varint(r, 53)?;
            let from = read_varint(r, 53)?;
            let from_name = read_string(r, MAX_PLAYER_NAME_BYTES)?;
            let sent_at = read_varint(r, 53)?;
            let text = read_string(r, MAX_MAIL_BYTES)?;
            Ok(SocialMsg::Mail(MailItem {
                id,
                from,
                from_name,
                sent_at,
                text,
            }))
        }
        social_kind::MAIL_GONE => Ok(SocialMsg::MailGone {
            id: read_varint(r, 53)?,
        }),
        other => Err(DecodeError::BadEnum {
            field: "social_kind",
            value: other,
        }),
    }
}
