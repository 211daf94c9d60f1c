//! What the player knows of its social world (SPEC.md §21, §22): the chat it read, its
//! empire's alliance and members, its invitations, its friends and requests with their
//! presence, and its mailbox, kept from `Social` messages.

use starlane_protocol::EmpireId;
use starlane_protocol::social::{
    AllianceId, AllianceRole, ChatMessage, FriendState, MailId, MailItem, Presence, SocialMsg,
    UserId,
};
use std::collections::{BTreeMap, VecDeque};

/// Chat messages kept (the oldest are dropped).
pub const CHAT_KEPT: usize = 256;

/// The empire's alliance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnAlliance {
    pub id: AllianceId,
    pub name: String,
    pub role: AllianceRole,
}

/// The social state as told by the region.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SocialView {
    /// The last [`CHAT_KEPT`] chat messages, oldest first.
    pub chat: VecDeque<ChatMessage>,
    /// The empire's alliance, if any.
    pub alliance: Option<OwnAlliance>,
    /// Its members: empire → player name and role.
    pub members: BTreeMap<EmpireId, (String, AllianceRole)>,
    /// Pending invitations: alliance → its name and the inviting empire.
    pub invites: BTreeMap<AllianceId, (String, EmpireId)>,
    /// Friends and requests either way: user → its name, the standing and (friends only) its
    /// presence.
    pub friends: BTreeMap<UserId, (String, FriendState, Presence)>,
    /// The mailbox by mail id (ids grow: oldest first).
    pub mail: BTreeMap<MailId, MailItem>,
}

impl SocialView {
    /// Apply one message.
    pub fn apply(&mut self, msg: &SocialMsg) {
        match msg {
            SocialMsg::Chat(c) => {
                if self.chat.len() == CHAT_KEPT {
                    self.chat.pop_front();
                }
                self.chat.push_back(c.clone());
            }
            SocialMsg::Alliance {
                alliance,
                name,
                role,
            } => {
                if self.alliance.as_ref().map(|a| a.id) != Some(*alliance) {
                    self.members.clear();
                }
                self.alliance = (*alliance != 0).then(|| OwnAlliance {
                    id: *alliance,
                    name: name.clone(),
                    role: *role,
                });
            }
            SocialMsg::Member {
                alliance,
                empire,
                name,
                role,
                present,
            } => {
                if self.alliance.as_ref().map(|a| a.id) != Some(*alliance) {
                    return;
                }
                if *present {
                    self.members.insert(*empire, (name.clone(), *role));
                } else {
                    self.members.remove(empire);
                }
            }
            SocialMsg::Invite {
                alliance,
                name,
                from,
                active,
            } => {
                if *active {
                    self.invites.insert(*alliance, (name.clone(), *from));
                } else {
                    self.invites.remove(alliance);
                }
            }
            SocialMsg::Friend {
                user,
                name,
                state,
                presence,
            } => {
                if *state == FriendState::None {
                    self.friends.remove(user);
                } else {
                    self.friends
                        .insert(*user, (name.clone(), *state, *presence));
                }
            }
            SocialMsg::Presence { user, presence } => {
                if let Some(f) = self.friends.get_mut(user) {
                    f.2 = *presence;
                }
            }
            SocialMsg::Mail(m) => {
                self.mail.insert(m.id, m.clone());
            }
            SocialMsg::MailGone { id } => {
                self.mail.remove(id);
            }
        }
    }

    /// Whether `user` and this player are friends.
    pub fn is_friend(&self, user: UserId) -> bool {
        self.friends
            .get(&user)
            .is_some_and(|f| f.1 == FriendState::Friends)
    }

    /// Whether `empire` is in this empire's alliance (itself excluded by the caller).
    pub fn is_ally(&self, empire: EmpireId) -> bool {
        self.members.contains_key(&empire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alliance_state_follows_the_messages() {
        let mut v = SocialView::default();
        v.apply(&SocialMsg::Invite {
            alliance: 3,
            name: "Blue".into(),
            from: 5,
            active: true,
        });
        assert_eq!(v.invites.get(&3), Some(&("Blue".into(), 5)));
        v.apply(&SocialMsg::Alliance {
            alliance: 3,
            name: "Blue".into(),
            role: AllianceRole::Member,
        });
        for (empire, role) in [(5, AllianceRole::Leader), (7, AllianceRole::Member)] {
            v.apply(&SocialMsg::Member {
                alliance: 3,
                empire,
                name: format!("p{empire}"),
                role,
                present: true,
            });
        }
        // A member event of another alliance is not this empire's business.
        v.apply(&SocialMsg::Member {
            alliance: 4,
            empire: 9,
            name: "x".into(),
            role: AllianceRole::Member,
            present: true,
        });
        assert!(v.is_ally(5) && !v.is_ally(9));
        v.apply(&SocialMsg::Alliance {
            alliance: 0,
            name: String::new(),
            role: AllianceRole::Member,
        });
        assert_eq!(v.alliance, None);
        assert!(v.members.is_empty());
    }

    #[test]
    fn friends_presence_and_mail_follow_the_messages() {
        let mut v = SocialView::default();
        let friend = |state, presence| SocialMsg::Friend {
            user: 7,
            name: "bob".into(),
            state,
            presence,
        };
        v.apply(&friend(FriendState::Asked, Presence::Offline));
        assert!(!v.is_friend(7));
        v.apply(&friend(FriendState::Friends, Presence::InGame));
        assert!(v.is_friend(7));
        v.apply(&SocialMsg::Presence {
            user: 7,
            presence: Presence::Online,
        });
        // Presence of someone not on the list is ignored.
        v.apply(&SocialMsg::Presence {
            user: 8,
            presence: Presence::InGame,
        });
        assert_eq!(v.friends.get(&7).map(|f| f.2), Some(Presence::Online));
        assert_eq!(v.friends.len(), 1);
        v.apply(&friend(FriendState::None, Presence::Offline));
        assert!(v.friends.is_empty());
        let mail = MailItem {
            id: 4,
            from: 7,
            from_name: "bob".into(),
            sent_at: 1,
            text: "hi".into(),
        };
        v.apply(&SocialMsg::Mail(mail.clone()));
        assert_eq!(v.mail.get(&4), Some(&mail));
        v.apply(&SocialMsg::MailGone { id: 4 });
        assert!(v.mail.is_empty());
    }

    #[test]
    fn chat_keeps_the_newest_messages() {
        let mut v = SocialView::default();
        for i in 0..CHAT_KEPT + 3 {
            v.apply(&SocialMsg::Chat(ChatMessage {
                channel: starlane_protocol::social::ChatChannel::Region,
                from: 1,
                from_name: "a".into(),
                to: 0,
                text: i.to_string(),
            }));
        }
        assert_eq!(v.chat.len(), CHAT_KEPT);
        assert_eq!(v.chat.front().map(|c| c.text.as_str()), Some("3"));
    }
}
