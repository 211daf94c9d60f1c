//! The alliances of the region (SPEC.md §21.2): who is in which, with what role, who is
//! invited, and each change's news for the sessions and pairs for the vision index.

use starlane_protocol::social::{
    AllianceId, AllianceRole, MAX_ALLIANCE_NAME_BYTES, MIN_ALLIANCE_NAME_BYTES, SocialMsg,
    TextError, check_text,
};
use starlane_protocol::{CommandError, EmpireId, NEUTRAL_EMPIRE};
use std::collections::{BTreeMap, HashMap};

/// A member's place in its alliance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Membership {
    pub role: AllianceRole,
    /// Join order in the region (who joined first takes the lead when the leader leaves).
    pub since: u64,
}

/// One alliance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alliance {
    pub name: String,
    pub members: BTreeMap<EmpireId, Membership>,
    /// Invited empires and who invited each.
    pub invites: BTreeMap<EmpireId, EmpireId>,
}

impl Alliance {
    fn role_of(&self, empire: EmpireId) -> Option<AllianceRole> {
        self.members.get(&empire).map(|m| m.role)
    }

    /// The member who takes the lead: the officer, else the member, who joined first.
    fn successor(&self) -> Option<EmpireId> {
        self.members
            .iter()
            .max_by_key(|(_, m)| (m.role.code(), std::cmp::Reverse(m.since)))
            .map(|(e, _)| *e)
    }
}

/// Every alliance of the region, with this tick's news and vision changes.
#[derive(bevy_ecs::prelude::Resource, Debug, Default)]
pub struct Alliances {
    by_id: BTreeMap<AllianceId, Alliance>,
    of: HashMap<EmpireId, AllianceId>,
    /// Each empire's player name, as last seen at a join (members are named in `Member`).
    names: HashMap<EmpireId, String>,
    next_id: AllianceId,
    next_since: u64,
    /// Messages for the sessions of an empire, in order.
    pub(crate) news: Vec<(EmpireId, SocialMsg)>,
    /// Pairs of empires whose being allied changed (the vision stage re-derives their sight).
    pub(crate) for_vision: Vec<(EmpireId, EmpireId)>,
}

/// What refuses an alliance name or chat text.
pub(crate) fn text_error(e: TextError) -> CommandError {
    match e {
        TextError::TooLong(_) => CommandError::TextTooLong,
        TextError::Empty | TextError::Forbidden => CommandError::InvalidText,
    }
}

/// A role's rank for comparisons (`-1`: not a member).
fn rank(role: Option<AllianceRole>) -> i16 {
    role.map_or(-1, |r| i16::from(r.code()))
}

/// Names compare without regard to case or surrounding space.
fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

impl Alliances {
    /// The alliance `empire` is in.
    pub fn alliance_of(&self, empire: EmpireId) -> Option<AllianceId> {
        self.of.get(&empire).copied()
    }

    /// One alliance.
    pub fn get(&self, id: AllianceId) -> Option<&Alliance> {
        self.by_id.get(&id)
    }

    /// Every alliance, by id.
    pub fn all(&self) -> impl Iterator<Item = (AllianceId, &Alliance)> {
        self.by_id.iter().map(|(id, a)| (*id, a))
    }

    /// Whether `a` and `b` are distinct members of one alliance.
    pub fn allied(&self, a: EmpireId, b: EmpireId) -> bool {
        a != b && self.of.get(&a).is_some_and(|x| self.of.get(&b) == Some(x))
    }

    /// The player name of `empire` (empty when never seen).
    pub fn name_of(&self, empire: EmpireId) -> &str {
        self.names.get(&empire).map_or("", String::as_str)
    }

    /// Record `empire`'s player name (at a join; members hear a change at their next news).
    pub fn set_name(&mut self, empire: EmpireId, name: &str) {
        if self.names.get(&empire).is_none_or(|n| n != name) {
            self.names.insert(empire, name.to_owned());
        }
    }

    /// What `empire`'s sessions are told when they open: its alliance, each member and each
    /// pending invitation.
    pub fn greeting(&self, empire: EmpireId) -> Vec<SocialMsg> {
        let mut out = Vec::new();
        if let Some((id, a)) = self
            .of
            .get(&empire)
            .and_then(|id| Some((*id, self.get(*id)?)))
        {
            let role = a.role_of(empire).unwrap_or(AllianceRole::Member);
            out.push(self.alliance_msg(id, role));
            out.extend(a.members.keys().map(|m| self.member_msg(id, *m, true)));
        }
        for (id, a) in &self.by_id {
            if let Some(from) = a.invites.get(&empire) {
                out.push(invite_msg(*id, a, *from, true));
            }
        }
        out
    }

    /// `CreateAlliance` (SPEC.md §21.2).
    pub fn create(&mut self, empire: EmpireId, name: &str) -> Result<AllianceId, CommandError> {
        if self.of.contains_key(&empire) {
            return Err(CommandError::AlreadyInAlliance);
        }
        check_text(name, MAX_ALLIANCE_NAME_BYTES, false).map_err(text_error)?;
        if name.len() < MIN_ALLIANCE_NAME_BYTES {
            return Err(CommandError::InvalidText);
        }
        let key = name_key(name);
        if self.by_id.values().any(|a| name_key(&a.name) == key) {
            return Err(CommandError::NameTaken);
        }
        self.next_id += 1;
        let id = self.next_id;
        self.by_id.insert(
            id,
            Alliance {
                name: name.to_owned(),
                members: BTreeMap::new(),
                invites: BTreeMap::new(),
            },
        );
        self.add_member(id, empire, AllianceRole::Leader);
        Ok(id)
    }

    /// `InviteToAlliance` (SPEC.md §21.2).
    pub fn invite(
        &mut self,
        empire: EmpireId,
        target: EmpireId,
        max: usize,
    ) -> Result<(), CommandError> {
        let (id, a) = self.own(empire)?;
        if rank(a.role_of(empire)) < rank(Some(AllianceRole::Officer)) {
            return Err(CommandError::NotPermitted);
        }
        if target == empire || target == NEUTRAL_EMPIRE {
            return Err(CommandError::InvalidEmpire);
        }
        if a.members.contains_key(&target) || a.invites.contains_key(&target) {
            return Ok(());
        }
        if a.members.len() + a.invites.len() >= max {
            return Err(CommandError::AllianceFull);
        }
        let Some(a) = self.by_id.get_mut(&id) else {
            return Err(CommandError::NotInAlliance);
        };
        a.invites.insert(target, empire);
        let msg = invite_msg(id, a, empire, true);
        self.news.push((target, msg));
        Ok(())
    }

    /// `JoinAlliance` (SPEC.md §21.2).
    pub fn join(
        &mut self,
        empire: EmpireId,
        id: AllianceId,
        max: usize,
    ) -> Result<(), CommandError> {
        if self.of.contains_key(&empire) {
            return Err(CommandError::AlreadyInAlliance);
        }
        let Some(a) = self.by_id.get_mut(&id) else {
            return Err(CommandError::NotInvited);
        };
        let Some(from) = a.invites.get(&empire).copied() else {
            return Err(CommandError::NotInvited);
        };
        if a.members.len() >= max {
            return Err(CommandError::AllianceFull);
        }
        a.invites.remove(&empire);
        let msg = invite_msg(id, a, from, false);
        self.news.push((empire, msg));
        self.add_member(id, empire, AllianceRole::Member);
        Ok(())
    }

    /// `LeaveAlliance` (SPEC.md §21.2).
    pub fn leave(&mut self, empire: EmpireId) -> Result<(), CommandError> {
        let (id, _) = self.own(empire)?;
        self.remove_member(id, empire);
        Ok(())
    }

    /// `KickFromAlliance` (SPEC.md §21.2).
    pub fn kick(&mut self, empire: EmpireId, target: EmpireId) -> Result<(), CommandError> {
        let (id, a) = self.own(empire)?;
        if target == empire {
            return Err(CommandError::InvalidEmpire);
        }
        let own = rank(a.role_of(empire));
        let permitted = own >= rank(Some(AllianceRole::Officer));
        if let Some(role) = a.role_of(target) {
            if !permitted || rank(Some(role)) >= own {
                return Err(CommandError::NotPermitted);
            }
            self.remove_member(id, target);
            return Ok(());
        }
        let Some(from) = a.invites.get(&target).copied() else {
            return Err(CommandError::NotInAlliance);
        };
        if !permitted {
            return Err(CommandError::NotPermitted);
        }
        let Some(a) = self.by_id.get_mut(&id) else {
            return Err(CommandError::NotInAlliance);
        };
        a.invites.remove(&target);
        let msg = invite_msg(id, a, from, false);
        self.news.push((target, msg));
        Ok(())
    }

    /// `SetAllianceRole` (SPEC.md §21.2).
    pub fn set_role(
        &mut self,
        empire: EmpireId,
        target: EmpireId,
        role: AllianceRole,
    ) -> Result<(), CommandError> {
        let (id, a) = self.own(empire)?;
        if a.role_of(empire) != Some(AllianceRole::Leader) {
            return Err(CommandError::NotPermitted);
        }
        if target == empire {
            return Err(CommandError::InvalidEmpire);
        }
        if !a.members.contains_key(&target) {
            return Err(CommandError::NotInAlliance);
        }
        if role == AllianceRole::Leader {
            self.change_role(id, empire, AllianceRole::Officer);
        }
        self.change_role(id, target, role);
        Ok(())
    }

    /// The sender's alliance, or `NotInAlliance`.
    fn own(&self, empire: EmpireId) -> Result<(AllianceId, &Alliance), CommandError> {
        self.of
            .get(&empire)
            .and_then(|id| Some((*id, self.by_id.get(id)?)))
            .ok_or(CommandError::NotInAlliance)
    }

    fn alliance_msg(&self, id: AllianceId, role: AllianceRole) -> SocialMsg {
        SocialMsg::Alliance {
            alliance: id,
            name: self
                .by_id
                .get(&id)
                .map_or(String::new(), |a| a.name.clone()),
            role,
        }
    }

    fn member_msg(&self, id: AllianceId, empire: EmpireId, present: bool) -> SocialMsg {
        let role = self
            .by_id
            .get(&id)
            .and_then(|a| a.role_of(empire))
            .unwrap_or(AllianceRole::Member);
        SocialMsg::Member {
            alliance: id,
            empire,
            name: self.name_of(empire).to_owned(),
            role,
            present,
        }
    }

    /// Tell every member of `id` (and `also`) `msg`.
    fn tell_members(&mut self, id: AllianceId, msg: &SocialMsg) {
        let members: Vec<EmpireId> = self
            .by_id
            .get(&id)
            .map(|a| a.members.keys().copied().collect())
            .unwrap_or_default();
        self.news
            .extend(members.into_iter().map(|m| (m, msg.clone())));
    }

    fn add_member(&mut self, id: AllianceId, empire: EmpireId, role: AllianceRole) {
        self.next_since += 1;
        let since = self.next_since;
        let Some(a) = self.by_id.get_mut(&id) else {
            return;
        };
        let others: Vec<EmpireId> = a.members.keys().copied().collect();
        a.members.insert(empire, Membership { role, since });
        self.of.insert(empire, id);
        for other in &others {
            self.for_vision.push((empire, *other));
        }
        let joined = self.member_msg(id, empire, true);
        self.news
            .extend(others.iter().map(|o| (*o, joined.clone())));
        let alliance = self.alliance_msg(id, role);
        self.news.push((empire, alliance));
        let roster: Vec<SocialMsg> = std::iter::once(empire)
            .chain(others)
            .map(|m| self.member_msg(id, m, true))
            .collect();
        self.news.extend(roster.into_iter().map(|m| (empire, m)));
    }

    fn remove_member(&mut self, id: AllianceId, empire: EmpireId) {
        let left = self.member_msg(id, empire, false);
        let Some(a) = self.by_id.get_mut(&id) else {
            return;
        };
        let Some(was) = a.members.remove(&empire) else {
            return;
        };
        self.of.remove(&empire);
        let rest: Vec<EmpireId> = a.members.keys().copied().collect();
        self.for_vision
            .extend(rest.iter().map(|other| (empire, *other)));
        self.news.push((empire, left.clone()));
        self.news.push((
            empire,
            SocialMsg::Alliance {
                alliance: 0,
                name: String::new(),
                role: AllianceRole::Member,
            },
        ));
        self.news.extend(rest.iter().map(|o| (*o, left.clone())));
        if rest.is_empty() {
            self.disband(id);
        } else if was.role == AllianceRole::Leader
            && let Some(next) = self.by_id.get(&id).and_then(Alliance::successor)
        {
            self.change_role(id, next, AllianceRole::Leader);
        }
    }

    /// End an alliance with no members: its invitations end with it.
    fn disband(&mut self, id: AllianceId) {
        let Some(a) = self.by_id.remove(&id) else {
            return;
        };
        for (invited, from) in &a.invites {
            self.news.push((*invited, invite_msg(id, &a, *from, false)));
        }
    }

    fn change_role(&mut self, id: AllianceId, empire: EmpireId, role: AllianceRole) {
        let Some(m) = self
            .by_id
            .get_mut(&id)
            .and_then(|a| a.members.get_mut(&empire))
        else {
            return;
        };
        if m.role == role {
            return;
        }
        m.role = role;
        let alliance = self.alliance_msg(id, role);
        self.news.push((empire, alliance));
        let msg = self.member_msg(id, empire, true);
        self.tell_members(id, &msg);
    }

    /// Put back an alliance from a snapshot (no news, no vision changes: the vision stage
    /// derives alliance sight from the restored state when `restored` pairs are replayed).
    pub(crate) fn restore(&mut self, id: AllianceId, alliance: Alliance) {
        for (empire, m) in &alliance.members {
            self.of.insert(*empire, id);
            self.next_since = self.next_since.max(m.since);
            for other in alliance.members.keys().filter(|o| *o != empire) {
                self.for_vision.push((*empire, *other));
            }
        }
        self.next_id = self.next_id.max(id);
        self.by_id.insert(id, alliance);
    }

    /// Restore the player names of members (from a snapshot).
    pub(crate) fn restore_names(&mut self, names: impl IntoIterator<Item = (EmpireId, String)>) {
        for (empire, name) in names {
            self.names.entry(empire).or_insert(name);
        }
    }
}

fn invite_msg(id: AllianceId, a: &Alliance, from: EmpireId, active: bool) -> SocialMsg {
    SocialMsg::Invite {
        alliance: id,
        name: a.name.clone(),
        from,
        active,
    }
}
