// The social dock in the bottom-right corner: the alliance panel above the chat panel
// (protocol/SPEC.md §21), both wired to the orders they send, updated every frame from the
// social state.

import { AlliancePanel } from "./alliancePanel";
import { allianceModel } from "./allianceView";
import { ChatPanel } from "./chatPanel";
import type { SocialOrders } from "./socialApi";
import type { SocialState } from "./socialModel";
import type { SharingSelection } from "./sharingView";

/** The alliance and chat panels. */
export class SocialDock {
  private readonly chat: ChatPanel;
  private readonly alliance: AlliancePanel;

  constructor(parent: HTMLElement, orders: SocialOrders) {
    const dock = document.createElement("div");
    dock.id = "social";
    parent.append(dock);
    this.alliance = new AlliancePanel(dock, {
      create: (name) => orders.createAlliance(name),
      invite: (empire) => orders.inviteToAlliance(empire),
      join: (alliance) => orders.joinAlliance(alliance),
      leave: () => orders.leaveAlliance(),
      kick: (empire) => orders.kickFromAlliance(empire),
      setRole: (empire, role) => orders.setAllianceRole(empire, role),
    });
    this.chat = new ChatPanel(dock, { send: (channel, text, to) => orders.chat(channel, text, to) });
  }

  /**
   * Shows `state` for the player of user id `userId` and empire `myEmpire` (both null before
   * the Welcome: hidden), with the selected entity `sel` (whose foreign owner may be invited).
   */
  update(state: SocialState, userId: number | null, myEmpire: number | null, sel: SharingSelection | null): void {
    this.alliance.update(allianceModel(state, myEmpire, sel));
    this.chat.update(state, userId);
  }
}
