// The alliance panel (protocol/SPEC.md §21.2): with no alliance, a form to found one and the
// invitations we hold (each with an accept button); in one, its members with their roles and
// the buttons our role allows (remove, promote, demote, hand the lead over), an invite form (an
// empire id, or the empire of the selected foreign unit, as the sharing panel offers a share)
// and a leave button. The model comes from allianceView.ts; the lists are rebuilt only when the
// model changes, the forms stay (so typing survives updates). Names are set with textContent
// only. Rejected commands show like any other (the overlay's command row and notices).

import {
  type AllianceModel,
  type InviteRow,
  type MemberRow,
  allianceKey,
  allianceNameProblem,
  parseEmpireId,
  roleName,
} from "./allianceView";
import { AllianceRole, MAX_ALLIANCE_NAME } from "./protocol";
import { button as socialButton, el, input } from "./socialDom";

/** What the panel's buttons do; each returns whether the command went out. */
export interface AllianceActions {
  create(name: string): boolean;
  invite(empire: number): boolean;
  join(alliance: number): boolean;
  leave(): boolean;
  kick(empire: number): boolean;
  setRole(empire: number, role: number): boolean;
}

/** The panel; call {@link AlliancePanel.update} every frame. */
export class AlliancePanel {
  private readonly root: HTMLDetailsElement;
  private readonly summary: HTMLElement;
  private readonly members: HTMLDivElement;
  private readonly inviteForm: HTMLFormElement;
  private readonly inviteInput: HTMLInputElement;
  private readonly actionsRow: HTMLDivElement;
  private readonly createForm: HTMLFormElement;
  private readonly nameInput: HTMLInputElement;
  private readonly invites: HTMLDivElement;
  private readonly hint: HTMLDivElement;
  private key: string | null = null;

  constructor(
    parent: HTMLElement,
    private readonly actions: AllianceActions,
  ) {
    this.root = el("details", "");
    this.root.id = "alliance";
    this.root.open = true;
    this.root.hidden = true;
    this.summary = el("summary", "title", "alliance");
    this.members = el("div", "members");
    this.inviteInput = input("empire", "empire id");
    this.inviteInput.inputMode = "numeric";
    this.inviteForm = form("invite-form", this.inviteInput, "invite", () => this.inviteTyped());
    this.actionsRow = el("div", "actions");
    this.nameInput = input("name", "alliance name");
    // A UTF-16 unit takes at least one byte: a legal name never has more units than the limit.
    this.nameInput.maxLength = MAX_ALLIANCE_NAME;
    this.createForm = form("create-form", this.nameInput, "create alliance", () => this.createTyped());
    this.invites = el("div", "invites");
    this.hint = el("div", "hint");
    this.root.append(this.summary, this.members, this.inviteForm, this.actionsRow, this.createForm, this.invites, this.hint);
    this.root.addEventListener("click", (ev) => this.onClick(ev));
    parent.append(this.root);
  }

  /** Shows `m` (null hides the panel). */
  update(m: AllianceModel | null): void {
    const key = allianceKey(m);
    if (key === this.key) return;
    this.key = key;
    this.rebuild(m);
  }

  private rebuild(m: AllianceModel | null): void {
    this.root.hidden = m === null;
    this.members.replaceChildren();
    this.actionsRow.replaceChildren();
    this.invites.replaceChildren();
    if (!m) return;
    const own = m.alliance;
    this.summary.textContent = own ? `alliance ${own.name} · ${roleName(own.role)}` : "alliance: none";
    this.root.classList.toggle("in-alliance", own !== null);
    this.createForm.hidden = own !== null;
    this.inviteForm.hidden = !m.canInvite;
    for (const r of m.members) this.members.append(memberRow(r));
    if (m.offer !== null) {
      const b = button("offer", `invite empire ${m.offer}`, "invite", m.offer);
      b.title = `invite the empire of the selected unit (${m.offer}) to the alliance`;
      this.actionsRow.append(b);
    }
    if (own !== null) this.actionsRow.append(button("leave", "leave alliance", "leave", own.id));
    if (m.invites.length > 0) this.invites.append(el("div", "section", "invitations"));
    for (const i of m.invites) this.invites.append(inviteRow(i, own === null));
  }

  private createTyped(): void {
    const name = this.nameInput.value.trim();
    const problem = allianceNameProblem(name);
    if (problem !== "") {
      this.hint.textContent = problem;
      return;
    }
    this.hint.textContent = "";
    if (this.actions.create(name)) this.nameInput.value = "";
  }

  private inviteTyped(): void {
    const empire = parseEmpireId(this.inviteInput.value);
    if (empire === null) {
      this.hint.textContent = "type the id of the empire to invite";
      return;
    }
    this.hint.textContent = "";
    if (this.actions.invite(empire)) this.inviteInput.value = "";
  }

  private onClick(ev: MouseEvent): void {
    const target = ev.target instanceof Element ? ev.target.closest("button") : null;
    if (!target || target.type === "submit") return;
    // Focus goes back to the page, so game keys (Escape, S) keep working after a click.
    target.blur();
    const id = Number(target.dataset.id);
    if (!Number.isInteger(id)) return;
    switch (target.dataset.action) {
      case "invite":
        this.actions.invite(id);
        break;
      case "join":
        this.actions.join(id);
        break;
      case "leave":
        this.actions.leave();
        break;
      case "kick":
        this.actions.kick(id);
        break;
      case "promote":
        this.actions.setRole(id, AllianceRole.Officer);
        break;
      case "demote":
        this.actions.setRole(id, AllianceRole.Member);
        break;
      case "lead":
        this.actions.setRole(id, AllianceRole.Leader);
        break;
    }
  }
}

function memberRow(r: MemberRow): HTMLDivElement {
  const row = el("div", `member role-${roleName(r.role)}`);
  row.dataset.empire = String(r.empire);
  row.classList.toggle("me", r.me);
  row.classList.toggle("selected", r.selected);
  row.append(el("span", "name", r.me ? `${r.name} (you)` : r.name), el("span", "empire", `empire ${r.empire}`));
  row.append(el("span", "role", roleName(r.role)));
  if (r.canPromote) row.append(button("promote", "promote", "promote", r.empire, `make ${r.name} an officer`));
  if (r.canDemote) row.append(button("demote", "demote", "demote", r.empire, `make ${r.name} a member`));
  if (r.canLead) row.append(button("lead", "lead", "lead", r.empire, `hand the lead to ${r.name}; you become an officer`));
  if (r.canKick) row.append(button("kick", "kick", "kick", r.empire, `remove ${r.name} from the alliance`));
  return row;
}

function inviteRow(i: InviteRow, canJoin: boolean): HTMLDivElement {
  const row = el("div", "invite");
  row.dataset.alliance = String(i.alliance);
  row.append(el("span", "name", `${i.name} (#${i.alliance}), from empire ${i.from}`));
  if (canJoin) row.append(button("join", "accept", "join", i.alliance, `join ${i.name}`));
  else row.title = "leave your alliance to accept";
  return row;
}

function button(cls: string, text: string, action: string, id: number, title?: string): HTMLButtonElement {
  return socialButton(cls, text, action, { id: String(id) }, title);
}

function form(cls: string, field: HTMLInputElement, label: string, onSubmit: () => void): HTMLFormElement {
  const f = el("form", `form ${cls}`);
  const b = el("button", "submit", label);
  b.type = "submit";
  f.append(field, b);
  f.addEventListener("submit", (ev) => {
    ev.preventDefault();
    onSubmit();
  });
  return f;
}
