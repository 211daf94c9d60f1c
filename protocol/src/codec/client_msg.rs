//! Encoding and decoding of [`ClientMsg`] (SPEC.md §5).

use super::delta_msg::{read_ack, write_ack};
use super::prim::*;
use super::{MAX_TOKEN_LEN, client_type, command_type};
use crate::bits::{BitReader, BitWriter};
use crate::client::{ClientMsg, DecodeError};
use crate::social::{
    AllianceRole, ChatChannel, ChatTo, MAX_ALLIANCE_NAME_BYTES, MAX_CHAT_BYTES, MAX_MAIL_BYTES,
};
use crate::types::{Command, EntityKind};

impl ClientMsg {
    /// Encode this message into its bit-packed wire form (SPEC.md §5).
    ///
    /// A `Hello` token longer than [`MAX_TOKEN_LEN`] bytes encodes, but every decoder
    /// refuses it.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = BitWriter::with_capacity(16);
        match self {
            ClientMsg::Hello { version, token } => {
                w.write_bits(u64::from(client_type::HELLO), 8);
                w.write_bits(u64::from(*version), 16);
                write_string(&mut w, token);
            }
            ClientMsg::Command { seq, command } => {
                w.write_bits(u64::from(client_type::COMMAND), 8);
                write_varint(&mut w, u64::from(*seq));
                write_command(&mut w, command);
            }
            ClientMsg::Ping { nonce } => {
                w.write_bits(u64::from(client_type::PING), 8);
                w.write_bits(u64::from(*nonce), 32);
            }
            ClientMsg::Ack { newest, mask } => {
                w.write_bits(u64::from(client_type::ACK), 8);
                write_ack(&mut w, *newest, *mask);
            }
            ClientMsg::Resume {
                version,
                token,
                ticket,
            } => {
                w.write_bits(u64::from(client_type::RESUME), 8);
                w.write_bits(u64::from(*version), 16);
                write_string(&mut w, token);
                write_ticket(&mut w, ticket);
            }
        }
        w.finish()
    }

    /// Decode one message, applying every check of SPEC.md §7 in order. Never panics.
    pub fn decode(bytes: &[u8]) -> Result<ClientMsg, DecodeError> {
        let mut r = BitReader::new(bytes);
        let msg = match r.read_u8()? {
            client_type::HELLO => {
                // Sixteen bits always fit in a u16.
                let version = r.read_bits(16)? as u16;
                let token = read_string(&mut r, MAX_TOKEN_LEN)?;
                ClientMsg::Hello { version, token }
            }
            client_type::COMMAND => {
                let seq = read_varint_u32(&mut r)?;
                let command = read_command(&mut r)?;
                ClientMsg::Command { seq, command }
            }
            client_type::PING => {
                // Thirty-two bits always fit in a u32.
                let nonce = r.read_bits(32)? as u32;
                ClientMsg::Ping { nonce }
            }
            client_type::ACK => {
                let (newest, mask) = read_ack(&mut r)?;
                ClientMsg::Ack { newest, mask }
            }
            client_type::RESUME => {
                // Sixteen bits always fit in a u16.
                let version = r.read_bits(16)? as u16;
                let token = read_string(&mut r, MAX_TOKEN_LEN)?;
                let ticket = read_ticket(&mut r)?;
                ClientMsg::Resume {
                    version,
                    token,
                    ticket,
                }
            }
            other => return Err(DecodeError::UnknownType(other)),
        };
        r.finish()?;
        Ok(msg)
    }
}

fn write_command(w: &mut BitWriter, command: &Command) {
    match command {
        Command::Move { unit, to } => {
            w.write_bits(u64::from(command_type::MOVE), 8);
            write_varint(w, u64::from(*unit));
            write_hex(w, *to);
        }
        Command::Stop { unit } => {
            w.write_bits(u64::from(command_type::STOP), 8);
            write_varint(w, u64::from(*unit));
        }
        Command::Attack { unit, target } => {
            w.write_bits(u64::from(command_type::ATTACK), 8);
            write_varint(w, u64::from(*unit));
            write_varint(w, u64::from(*target));
        }
        Command::Build { unit, kind, at } => {
            w.write_bits(u64::from(command_type::BUILD), 8);
            write_varint(w, u64::from(*unit));
            w.write_bits(u64::from(kind.code()), 8);
            write_hex(w, *at);
        }
        Command::Train {
            building,
            recipe,
            repeat,
        } => {
            w.write_bits(u64::from(command_type::TRAIN), 8);
            write_varint(w, u64::from(*building));
            write_varint(w, u64::from(*recipe));
            w.write_bit(*repeat);
        }
        Command::Cancel { building, job } => {
            w.write_bits(u64::from(command_type::CANCEL), 8);
            write_varint(w, u64::from(*building));
            write_varint(w, u64::from(*job));
        }
        Command::ShareVision { to } => {
            w.write_bits(u64::from(command_type::SHARE_VISION), 8);
            write_varint(w, u64::from(*to));
        }
        Command::RevokeVision { to } => {
            w.write_bits(u64::from(command_type::REVOKE_VISION), 8);
            write_varint(w, u64::from(*to));
        }
        Command::Chat { .. }
        | Command::CreateAlliance { .. }
        | Command::InviteToAlliance { .. }
        | Command::JoinAlliance { .. }
        | Command::LeaveAlliance
        | Command::KickFromAlliance { .. }
        | Command::SetAllianceRole { .. }
        | Command::AddFriend { .. }
        | Command::RemoveFriend { .. }
        | Command::SendMail { .. }
        | Command::DeleteMail { .. } => write_social_command(w, command),
    }
}

/// The social commands (protocol version 5, SPEC.md §21.1; version 6, §22).
fn write_social_command(w: &mut BitWriter, command: &Command) {
    let code = |w: &mut BitWriter, c: u8| w.write_bits(u64::from(c), 8);
    match command {
        Command::Chat { to, text } => {
            code(w, command_type::CHAT);
            w.write_bits(u64::from(to.channel().code()), 8);
            if let ChatTo::Player(user) = to {
                write_varint(w, *user);
            }
            write_string(w, text);
        }
        Command::CreateAlliance { name } => {
            code(w, command_type::CREATE_ALLIANCE);
            write_string(w, name);
        }
        Command::InviteToAlliance { empire } => {
            code(w, command_type::INVITE_TO_ALLIANCE);
            write_varint(w, u64::from(*empire));
        }
        Command::JoinAlliance { alliance } => {
            code(w, command_type::JOIN_ALLIANCE);
            write_varint(w, u64::from(*alliance));
        }
        Command::LeaveAlliance => code(w, command_type::LEAVE_ALLIANCE),
        Command::KickFromAlliance { empire } => {
            code(w, command_type::KICK_FROM_ALLIANCE);
            write_varint(w, u64::from(*empire));
        }
        Command::SetAllianceRole { empire, role } => {
            code(w, command_type::SET_ALLIANCE_ROLE);
            write_varint(w, u64::from(*empire));
            w.write_bits(u64::from(role.code()), 8);
        }
        Command::AddFriend { user } => {
            code(w, command_type::ADD_FRIEND);
            write_varint(w, *user);
        }
        Command::RemoveFriend { user } => {
            code(w, command_type::REMOVE_FRIEND);
            write_varint(w, *user);
        }
        Command::SendMail { to, text } => {
            code(w, command_type::SEND_MAIL);
            write_varint(w, *to);
            write_string(w, text);
        }
        Command::DeleteMail { id } => {
            code(w, command_type::DELETE_MAIL);
            write_varint(w, *id);
        }
        // The game commands are written by `write_command`.
        _ => {}
    }
}

/// The body of a social command whose type byte was `code` (SPEC.md §21.1).
fn read_social_command(r: &mut BitReader<'_>, code: u8) -> Result<Command, DecodeError> {
    match code {
        command_type::CHAT => {
            let channel = read_enum(r, "chat_channel", ChatChannel::from_u8)?;
            let to = match channel {
                ChatChannel::Region => ChatTo::Region,
                ChatChannel::Alliance => ChatTo::Alliance,
                ChatChannel::Private => ChatTo::Player(read_varint(r, 53)?),
            };
            let text = read_string(r, MAX_CHAT_BYTES)?;
            Ok(Command::Chat { to, text })
        }
        command_type::CREATE_ALLIANCE => Ok(Command::CreateAlliance {
            name: read_string(r, MAX_ALLIANCE_NAME_BYTES)?,
        }),
        command_type::INVITE_TO_ALLIANCE => Ok(Command::InviteToAlliance {
            empire: read_varint_u32(r)?,
        }),
        command_type::JOIN_ALLIANCE => Ok(Command::JoinAlliance {
            alliance: read_varint_u32(r)?,
        }),
        command_type::LEAVE_ALLIANCE => Ok(Command::LeaveAlliance),
        command_type::KICK_FROM_ALLIANCE => Ok(Command::KickFromAlliance {
            empire: read_varint_u32(r)?,
        }),
        command_type::SET_ALLIANCE_ROLE => {
            let empire = read_varint_u32(r)?;
            let role = read_enum(r, "alliance_role", AllianceRole::from_u8)?;
            Ok(Command::SetAllianceRole { empire, role })
        }
        command_type::ADD_FRIEND => Ok(Command::AddFriend {
            user: read_varint(r, 53)?,
        }),
        command_type::REMOVE_FRIEND => Ok(Command::RemoveFriend {
            user: read_varint(r, 53)?,
        }),
        command_type::SEND_MAIL => {
            let to = read_varint(r, 53)?;
            let text = read_string(r, MAX_MAIL_BYTES)?;
            Ok(Command::SendMail { to, text })
        }
        command_type::DELETE_MAIL => Ok(Command::DeleteMail {
            id: read_varint(r, 53)?,
        }),
        other => Err(DecodeError::UnknownCommand(other)),
    }
}

fn read_command(r: &mut BitReader<'_>) -> Result<Command, DecodeError> {
    match r.read_u8()? {
        command_type::MOVE => {
            let unit = read_varint_u32(r)?;
            let to = read_hex(r)?;
            Ok(Command::Move { unit, to })
        }
        command_type::STOP => Ok(Command::Stop {
            unit: read_varint_u32(r)?,
        }),
        command_type::ATTACK => {
            let unit = read_varint_u32(r)?;
            let target = read_varint_u32(r)?;
            Ok(Command::Attack { unit, target })
        }
        command_type::BUILD => {
            let unit = read_varint_u32(r)?;
            let kind = read_enum(r, "entity_kind", EntityKind::from_u8)?;
            let at = read_hex(r)?;
            Ok(Command::Build { unit, kind, at })
        }
        command_type::TRAIN => {
            let building = read_varint_u32(r)?;
            let recipe = read_varint_u16(r)?;
            let repeat = r.read_bit()?;
            Ok(Command::Train {
                building,
                recipe,
                repeat,
            })
        }
        command_type::CANCEL => {
            let building = read_varint_u32(r)?;
            let job = read_varint_u32(r)?;
            Ok(Command::Cancel { building, job })
        }
        command_type::SHARE_VISION => Ok(Command::ShareVision {
            to: read_varint_u32(r)?,
        }),
        command_type::REVOKE_VISION => Ok(Command::RevokeVision {
            to: read_varint_u32(r)?,
        }),
        other => read_social_command(r, other),
    }
}
