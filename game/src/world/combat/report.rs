//! Combat reports: what each empire dealt and suffered since its last report, sent to every
//! session of the empire once per report interval in which it fought.

use super::CombatSettings;
use crate::world::io::Outbox;
use crate::world::resources::TickCount;
use crate::world::sessions::Sessions;
use bevy_ecs::prelude::*;
use starlane_protocol::EmpireId;
use starlane_protocol::delta::CombatReport;
use starlane_protocol::link::LinkServerMsg;
use std::collections::HashMap;

/// Combat figures per empire since the last report.
#[derive(Resource, Debug, Default)]
pub struct CombatLedger {
    open: HashMap<EmpireId, CombatReport>,
    /// Every report sent, per empire, since the region started (tests, tools).
    pub totals: HashMap<EmpireId, CombatReport>,
}

impl CombatLedger {
    /// A shot of `shooter`'s unit dealt `damage` to a unit of `victim`, destroying it or not.
    pub fn hit(&mut self, shooter: EmpireId, victim: EmpireId, damage: u16, destroyed: bool) {
        let dealt = self.open.entry(shooter).or_default();
        dealt.dealt = dealt.dealt.saturating_add(u32::from(damage));
        dealt.kills = dealt.kills.saturating_add(u16::from(destroyed));
        let taken = self.open.entry(victim).or_default();
        taken.taken = taken.taken.saturating_add(u32::from(damage));
        taken.losses = taken.losses.saturating_add(u16::from(destroyed));
    }

    /// Close the interval: the reports of the empires that fought.
    fn take(&mut self) -> HashMap<EmpireId, CombatReport> {
        let open = std::mem::take(&mut self.open);
        for (empire, r) in &open {
            let t = self.totals.entry(*empire).or_default();
            t.dealt = t.dealt.saturating_add(r.dealt);
            t.taken = t.taken.saturating_add(r.taken);
            t.kills = t.kills.saturating_add(r.kills);
            t.losses = t.losses.saturating_add(r.losses);
        }
        open
    }
}

/// Once per report interval, send each session its empire's report (if it fought).
pub(super) fn send_reports(
    settings: Res<CombatSettings>,
    tick: Res<TickCount>,
    sessions: Res<Sessions>,
    mut ledger: ResMut<CombatLedger>,
    mut outbox: ResMut<Outbox>,
) {
    if !tick.0.is_multiple_of(settings.report_ticks) || ledger.open.is_empty() {
        return;
    }
    let reports = ledger.take();
    for (key, session) in &sessions.map {
        if let Some(report) = reports.get(&session.empire) {
            outbox
                .sessions
                .entry(*key)
                .or_default()
                .push(LinkServerMsg::Combat(*report));
        }
    }
}
