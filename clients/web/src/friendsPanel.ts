// The friends panel (protocol/SPEC.md §22.1, §22.3): our friends with their presence (offline,
// online, in game), the requests either way (asked: an accept and a decline button; requested: a
// withdraw button), a remove button and a mail button on each friend, and a form to ask a player
// to be friends by user id. The model comes from friendsView.ts; the list is rebuilt only when the
// friends change, the form stays (so typing survives updates). Names are set with textContent
// only. Rejected commands show like any other (the overlay's command row and notices).
//
// Elements for browser tests: `#friends` (a <details>; its <summary> opens it), one
// `#friends .friend[data-user=N]` per player (with `data-state` and, for a friend,
// `data-presence`: codes), its `.name`, `.state` and `.presence`, its buttons
// `button[data-action=accept|remove|mail]`, and the form `#friends .add-form` with `input.user`.

import {
  type FriendRow,
  type FriendsModel,
  friendTarget,
  friendsModel,
  friendsTitle,
  presenceClass,
  presenceName,
} from "./friendsView";
import { button, clickedButton, dataId, el, input } from "./socialDom";
import type { SocialState } from "./socialModel";

/** What the panel's buttons do; the commands return whether they went out. */
export interface FriendsActions {
  /** Asks `user` to be friends, or accepts its request. */
  add(user: number): boolean;
  /** Ends the friendship with `user`, or withdraws or declines a request. */
  remove(user: number): boolean;
  /** Starts a mail to `user` (the mail panel's form). */
  mail(user: number): void;
}

/** The panel; call {@link FriendsPanel.update} every frame. */
export class FriendsPanel {
  private readonly root: HTMLDetailsElement;
  private readonly summary: HTMLElement;
  private readonly list: HTMLDivElement;
  private readonly userInput: HTMLInputElement;
  private readonly hint: HTMLDivElement;
  private state: SocialState | null = null;
  private revision = -1;
  private me: number | null = null;

  constructor(
    parent: HTMLElement,
    private readonly actions: FriendsActions,
  ) {
    this.root = el("details", "");
    this.root.id = "friends";
    this.root.hidden = true;
    this.summary = el("summary", "title", "friends");
    this.list = el("div", "list");
    this.userInput = input("user", "user id");
    this.userInput.inputMode = "numeric";
    this.userInput.title = "the user id of the player to ask (or whose request to accept)";
    const form = el("form", "form add-form");
    const add = el("button", "submit", "add friend");
    add.type = "submit";
    form.append(this.userInput, add);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      this.addTyped();
    });
    this.hint = el("div", "hint");
    this.root.append(this.summary, this.list, form, this.hint);
    this.list.addEventListener("click", (ev) => this.onClick(ev));
    parent.append(this.root);
  }

  /** Shows the friends of `state` for the player of user id `me` (null before the Welcome: hidden). */
  update(state: SocialState, me: number | null): void {
    if (state === this.state && state.friendsRevision === this.revision && me === this.me) return;
    this.state = state;
    this.revision = state.friendsRevision;
    this.me = me;
    this.rebuild(friendsModel(state, me));
  }

  private rebuild(m: FriendsModel | null): void {
    this.root.hidden = m === null;
    this.list.replaceChildren();
    if (!m) return;
    this.summary.textContent = friendsTitle(m);
    this.root.classList.toggle("asked", m.asked > 0);
    if (m.rows.length === 0) this.list.append(el("div", "empty", "no friends yet"));
    for (const r of m.rows) this.list.append(friendRow(r));
  }

  private addTyped(): void {
    const t = friendTarget(this.userInput.value, this.me);
    if ("problem" in t) {
      this.hint.textContent = t.problem;
      return;
    }
    if (this.actions.add(t.user)) {
      this.hint.textContent = "";
      this.userInput.value = "";
    } else {
      this.hint.textContent = "not sent: not connected";
    }
  }

  private onClick(ev: MouseEvent): void {
    const b = clickedButton(ev);
    const user = dataId(b?.dataset.user);
    if (b === null || user === null) return;
    let sent = true;
    switch (b.dataset.action) {
      case "accept":
        sent = this.actions.add(user);
        break;
      case "remove":
        sent = this.actions.remove(user);
        break;
      case "mail":
        this.actions.mail(user);
        break;
    }
    this.hint.textContent = sent ? "" : "not sent: not connected";
  }
}

/** The element of one friend or request: every part set with textContent. */
function friendRow(r: FriendRow): HTMLDivElement {
  const row = el("div", `friend state-${r.stateLabel}`);
  row.dataset.user = String(r.user);
  row.dataset.state = String(r.state);
  const user = String(r.user);
  if (r.presence !== null) {
    row.dataset.presence = String(r.presence);
    const p = el("span", `presence ${presenceClass(r.presence)}`, presenceName(r.presence));
    p.dataset.presence = String(r.presence);
    row.append(p);
  }
  const name = el("span", "name", r.name);
  name.title = `user ${r.user}`;
  row.append(name, el("span", "user", `#${r.user}`), el("span", "state", r.stateLabel));
  if (r.canAccept) row.append(button("accept", "accept", "accept", { user }, `accept ${r.name}'s friend request`));
  if (r.canMail) row.append(button("mail", "mail", "mail", { user }, `write a mail to ${r.name}`));
  const titles = {
    remove: `end the friendship with ${r.name}`,
    decline: `decline ${r.name}'s request`,
    withdraw: "withdraw your request",
  };
  row.append(button("remove", r.removeLabel, "remove", { user }, titles[r.removeLabel]));
  return row;
}
