//! The alliances as stored in world snapshots ([`SocialRecord`]), taken from and put back
//! into a [`RegionSim`], and what the runtime carries for the social layer: chat and player
//! notes through the cluster, player operations to the database.

use super::alliances::{Alliance, Alliances, Membership};
use super::chat::{ChatCounters, ChatOutbox};
use super::players::{NoteOutbox, PlayerCounters, PlayerOpRequest, PlayerOps};
use crate::records::{AllianceRecord, MemberRecord, SocialRecord};
use crate::world::RegionSim;
use starlane_cluster::{ChatPost, SocialNote};

impl Alliances {
    /// Every alliance as stored.
    pub fn record(&self) -> SocialRecord {
        let alliances = self
            .all()
            .map(|(id, a)| AllianceRecord {
                id,
                name: a.name.clone(),
                members: a
                    .members
                    .iter()
                    .map(|(empire, m)| MemberRecord {
                        empire: *empire,
                        role: m.role,
                        since: m.since,
                        name: self.name_of(*empire).to_owned(),
                    })
                    .collect(),
                invites: a.invites.iter().map(|(e, from)| (*e, *from)).collect(),
            })
            .collect();
        SocialRecord { alliances }
    }

    /// Put stored alliances back (before the first tick: allies' sight takes effect in it,
    /// without news; sessions hear of their alliance when they join). An empire stored in two
    /// alliances keeps the first.
    pub fn restore_record(&mut self, record: &SocialRecord) {
        for a in &record.alliances {
            let members = a
                .members
                .iter()
                .filter(|m| self.alliance_of(m.empire).is_none())
                .map(|m| {
                    let membership = Membership {
                        role: m.role,
                        since: m.since,
                    };
                    (m.empire, membership)
                })
                .collect();
            self.restore_names(a.members.iter().map(|m| (m.empire, m.name.clone())));
            let alliance = Alliance {
                name: a.name.clone(),
                members,
                invites: a.invites.iter().copied().collect(),
            };
            self.restore(a.id, alliance);
        }
    }
}

impl RegionSim {
    /// The alliances as stored in a snapshot.
    pub fn social_record(&mut self) -> SocialRecord {
        self.world_mut().resource::<Alliances>().record()
    }

    /// Put stored alliances back, before the first tick.
    pub fn load_social(&mut self, record: &SocialRecord) {
        self.world_mut()
            .resource_mut::<Alliances>()
            .restore_record(record);
    }

    /// Chat accepted since the last call, for the runtime to publish on the cluster's bus
    /// (empty when the region delivers its own chat).
    pub fn take_chat_posts(&mut self) -> Vec<ChatPost> {
        std::mem::take(&mut self.world_mut().resource_mut::<ChatOutbox>().0)
    }

    /// The chat counters (`starlane_region_chat_*`).
    pub fn chat_counters(&mut self) -> ChatCounters {
        *self.world_mut().resource::<ChatCounters>()
    }

    /// Player operations (friends, mail, presence, greetings) since the last call, for the
    /// runtime to apply to the database and answer with [`crate::world::TickInput::PlayerOp`].
    /// They wait here until taken: a region driven without the runtime (a headless test or
    /// benchmark with sessions) takes them, or answers them, itself.
    pub fn take_player_ops(&mut self) -> Vec<PlayerOpRequest> {
        std::mem::take(&mut self.world_mut().resource_mut::<PlayerOps>().0)
    }

    /// Player notes since the last call, for the runtime to publish on the cluster's bus
    /// (empty when the region delivers its own).
    pub fn take_notes(&mut self) -> Vec<SocialNote> {
        std::mem::take(&mut self.world_mut().resource_mut::<NoteOutbox>().0)
    }

    /// The player-layer counters (`starlane_region_social_notes_*`).
    pub fn player_counters(&mut self) -> PlayerCounters {
        *self.world_mut().resource::<PlayerCounters>()
    }
}
