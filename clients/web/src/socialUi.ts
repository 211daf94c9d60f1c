// The social dock in the bottom-right corner: the alliance panel (protocol/SPEC.md §21.2), the
// friends and mail panels (§22), and the chat panel (§21.1) below them, each wired to the orders
// it sends, updated every frame from the social state.

import { AlliancePanel } from "./alliancePanel";
import { allianceModel } from "./allianceView";
import { ChatPanel } from "./chatPanel";
import { FriendsPanel } from "./friendsPanel";
import { MailPanel } from "./mailPanel";
import type { SocialOrders } from "./socialApi";
import type { SocialState } from "./socialModel";
import type { SharingSelection } from "./sharingView";

/** The alliance, friends, mail and chat panels. */
export class SocialDock {
  private readonly chat: ChatPanel;
  private readonly alliance: AlliancePanel;
  private readonly friends: FriendsPanel;
  private readonly mail: MailPanel;

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
    this.friends = new FriendsPanel(dock, {
      add: (user) => orders.addFriend(user),
      remove: (user) => orders.removeFriend(user),
      mail: (user) => this.mail.composeTo(user),
    });
    this.mail = new MailPanel(dock, {
      send: (to, text) => orders.sendMail(to, text),
      delete: (id) => orders.deleteMail(id),
    });
    this.chat = new ChatPanel(dock, { send: (channel, text, to) => orders.chat(channel, text, to) });
  }

  /**
   * Shows `state` for the player of user id `userId` and empire `myEmpire` (both null before
   * the Welcome: hidden), with the selected entity `sel` (whose foreign owner may be invited).
   */
  update(state: SocialState, userId: number | null, myEmpire: number | null, sel: SharingSelection | null): void {
    this.alliance.update(allianceModel(state, myEmpire, sel));
    this.friends.update(state, userId);
    this.mail.update(state, userId);
    this.chat.update(state, userId);
  }
}
