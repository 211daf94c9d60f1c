//! What the player knows of its social world (SPEC.md §21): the chat it read, its empire's
//! alliance and members, and its invitations, kept from `Social` messages.

use starlane_protocol::EmpireId;
use starlane_protocol::social::{AllianceId, AllianceRole, ChatMessage, SocialMsg};
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
        }
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
