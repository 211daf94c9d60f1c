//! The social layer: chat and alliances (protocol version 5, SPEC.md §21); friends, mail and
//! presence (protocol version 6, SPEC.md §22).
//!
//! Commands up are [`crate::Command::Chat`] and the alliance commands; what comes down is a
//! [`SocialMsg`], carried on the reliable stream as `ServerMsg::Social` (chat text is too long
//! and too many to ride in the datagrams' events). Text rules are here so that the region,
//! the clients and the tests agree on what is acceptable ([`check_text`]).

use crate::types::EmpireId;
use serde::{Deserialize, Serialize};

/// Most bytes of UTF-8 in a chat text on the wire (a region may allow fewer).
pub const MAX_CHAT_BYTES: usize = 512;
/// Most bytes of a player's name in a [`SocialMsg`] (names come from the login token; longer
/// ones are cut at a character boundary by the region).
pub const MAX_PLAYER_NAME_BYTES: usize = 32;
/// Most bytes of an alliance name.
pub const MAX_ALLIANCE_NAME_BYTES: usize = 24;
/// Fewest bytes of an alliance name.
pub const MIN_ALLIANCE_NAME_BYTES: usize = 3;
/// Most bytes of UTF-8 in a mail text on the wire (a region may allow fewer).
pub const MAX_MAIL_BYTES: usize = 2000;
/// A stored mail's identifier, unique in the cluster (protocol version 6).
pub type MailId = u64;
/// Region-assigned alliance identifier (`0`: none).
pub type AllianceId = u32;
/// A player's user id (the login token's `user_id`, at most `2^53 - 1`).
pub type UserId = u64;

crate::types::wire_enum! {
    /// Who a chat message is for.
    pub enum ChatChannel {
        /// Every player in the sender's region.
        Region = 0,
        /// The members of the sender's alliance.
        Alliance = 1,
        /// One player, wherever in the cluster it plays.
        Private = 2,
    }
}

crate::types::wire_enum! {
    /// A member's rank in its alliance: what it may do (SPEC.md §21.2).
    pub enum AllianceRole {
        /// Chats and sees with the others.
        Member = 0,
        /// Also invites, and removes members.
        Officer = 1,
        /// Also removes officers and sets roles; one per alliance.
        Leader = 2,
    }
}

crate::types::wire_enum! {
    /// Where a player is (protocol version 6, SPEC.md §22.3).
    pub enum Presence {
        /// No session anywhere in the cluster.
        Offline = 0,
        /// Connected, but has sent no command for the region's idle time.
        Online = 1,
        /// Connected and playing.
        InGame = 2,
    }
}

crate::types::wire_enum! {
    /// Where the receiving player stands with another (protocol version 6, SPEC.md §22.1).
    pub enum FriendState {
        /// Neither asked, or the friendship or request ended.
        None = 0,
        /// The receiving player asked; the other has not answered.
        Requested = 1,
        /// The other asked the receiving player.
        Asked = 2,
        /// Both asked: friends.
        Friends = 3,
    }
}

/// A stored mail as its recipient gets it (protocol version 6, SPEC.md §22.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bitcode::Encode, bitcode::Decode)]
pub struct MailItem {
    pub id: MailId,
    /// The sender's user id.
    pub from: UserId,
    /// The sender's name when it wrote.
    pub from_name: String,
    /// When it was sent, in Unix seconds.
    pub sent_at: u64,
    /// The text; it may hold new lines.
    pub text: String,
}

/// The addressee of a chat command.
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
pub enum ChatTo {
    /// The sender's region.
    Region,
    /// The sender's alliance.
    Alliance,
    /// One player by user id.
    Player(UserId),
}

impl ChatTo {
    /// The channel this addressee is on.
    pub const fn channel(self) -> ChatChannel {
        match self {
            ChatTo::Region => ChatChannel::Region,
            ChatTo::Alliance => ChatChannel::Alliance,
            ChatTo::Player(_) => ChatChannel::Private,
        }
    }
}

/// A chat message as its readers get it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bitcode::Encode, bitcode::Decode)]
pub struct ChatMessage {
    pub channel: ChatChannel,
    /// The sender's user id.
    pub from: UserId,
    /// The sender's name.
    pub from_name: String,
    /// The addressee of a private message (`0` on the other channels): the reader itself,
    /// or, in the copy its sender gets, the player it wrote to.
    pub to: UserId,
    pub text: String,
}

/// What the social layer tells one session (SPEC.md §21.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bitcode::Encode, bitcode::Decode)]
pub enum SocialMsg {
    /// A chat message on a channel the receiving player reads.
    Chat(ChatMessage),
    /// The receiving empire's alliance is now `alliance` (`0`: none) named `name`, where it
    /// holds `role`.
    Alliance {
        alliance: AllianceId,
        name: String,
        role: AllianceRole,
    },
    /// `empire` (played by `name`) is a member of the receiving empire's alliance with `role`
    /// (`present`), or left it.
    Member {
        alliance: AllianceId,
        empire: EmpireId,
        name: String,
        role: AllianceRole,
        present: bool,
    },
    /// The receiving empire is invited to `alliance` (`active`) by `from`, or the invitation
    /// ended (accepted, or the alliance is gone).
    Invite {
        alliance: AllianceId,
        name: String,
        from: EmpireId,
        active: bool,
    },
    /// The receiving player's standing with `user` (played by `name`) is `state`; while
    /// friends, `presence` is where `user` is (else `Offline`). Protocol version 6.
    Friend {
        user: UserId,
        name: String,
        state: FriendState,
        presence: Presence,
    },
    /// The receiving player's friend `user` is now `presence`. Protocol version 6.
    Presence { user: UserId, presence: Presence },
    /// A mail in the receiving player's mailbox: new, or (when the session opens) kept.
    /// Protocol version 6.
    Mail(MailItem),
    /// The mail `id` left the receiving player's mailbox (deleted). Protocol version 6.
    MailGone { id: MailId },
}

/// Why a text is refused ([`check_text`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// Empty, or only white space.
    #[error("text is empty")]
    Empty,
    /// Longer than the limit, in bytes of UTF-8.
    #[error("text is longer than {0} bytes")]
    TooLong(usize),
    /// Holds a character that could break how a client renders it.
    #[error("text holds a control or direction-override character")]
    Forbidden,
}

/// Whether `c` may appear in chat, mail or a name: no control characters (C0, DEL, C1; a new
/// line only where `newlines`), no bidirectional embeddings, overrides or isolates (they
/// reorder the text around them), no line or paragraph separators, and no non-characters.
pub fn allowed_char(c: char, newlines: bool) -> bool {
    if c == '\n' {
        return newlines;
    }
    !(c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        || matches!(c, '\u{2028}' | '\u{2029}')
        || matches!(c, '\u{FDD0}'..='\u{FDEF}')
        || (u32::from(c) & 0xFFFE) == 0xFFFE)
}

/// Check a chat text, mail body or name against the rules every client relies on: not blank,
/// at most `max` bytes, and only [`allowed_char`]s.
pub fn check_text(text: &str, max: usize, newlines: bool) -> Result<(), TextError> {
    if text.trim().is_empty() {
        return Err(TextError::Empty);
    }
    if text.len() > max {
        return Err(TextError::TooLong(max));
    }
    if text.chars().all(|c| allowed_char(c, newlines)) {
        Ok(())
    } else {
        Err(TextError::Forbidden)
    }
}

/// `name` cut to at most `max` bytes at a character boundary, with forbidden characters
/// dropped (for names that come from elsewhere, such as the login token's `username`).
pub fn clean_name(name: &str, max: usize) -> String {
    let mut out = String::new();
    for c in name.chars().filter(|c| allowed_char(*c, false)) {
        if out.len() + c.len_utf8() > max {
            break;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_that_could_break_a_client_are_refused() {
        assert_eq!(check_text("gg", 10, false), Ok(()));
        assert_eq!(check_text("<b>hi</b> & 你好 🚀", 64, false), Ok(()));
        assert_eq!(check_text("   ", 10, false), Err(TextError::Empty));
        assert_eq!(check_text("", 10, false), Err(TextError::Empty));
        assert_eq!(check_text("abcdef", 5, false), Err(TextError::TooLong(5)));
        for bad in [
            "a\u{0}b",
            "a\u{1b}[2J",
            "a\u{7f}",
            "a\u{85}",
            "x\u{202E}y",
            "\u{2066}z",
            "a\u{2028}b",
            "a\u{FFFF}",
        ] {
            assert_eq!(
                check_text(bad, 64, true),
                Err(TextError::Forbidden),
                "{bad:?}"
            );
        }
        assert_eq!(check_text("a\nb", 10, false), Err(TextError::Forbidden));
        assert_eq!(check_text("a\nb", 10, true), Ok(()));
        // Bytes, not characters: three 3-byte characters are 9 bytes.
        assert_eq!(check_text("你好吗", 8, false), Err(TextError::TooLong(8)));
    }

    #[test]
    fn names_are_cut_at_character_boundaries() {
        assert_eq!(clean_name("alice", 32), "alice");
        assert_eq!(clean_name("a\u{202E}li\u{0}ce", 32), "alice");
        assert_eq!(clean_name("你好吗", 8), "你好");
        assert_eq!(clean_name("", 8), "");
    }
}
