// The shared-vision panel: a DOM panel in the bottom-left corner listing the empires our
// empire shares its vision with (each with a revoke button) and those sharing theirs with us,
// with a "share vision" button when another player's unit is selected (protocol/SPEC.md §20).
// The model comes from sharingView.ts; the DOM is rebuilt only when the model changes.
// Rejected commands show like any other (the overlay's command row and notices).

import { type EmpireRow, type SharingModel, sharingKey } from "./sharingView";

/** What the panel's buttons do. */
export interface SharingActions {
  /** Share our vision with empire `to`. */
  share(to: number): void;
  /** Stop sharing our vision with empire `to`. */
  revoke(to: number): void;
}

/** The panel; call {@link SharingPanel.update} every frame. */
export class SharingPanel {
  private readonly root: HTMLDivElement;
  private key = "";

  constructor(
    parent: HTMLElement,
    private readonly actions: SharingActions,
  ) {
    this.root = document.createElement("div");
    this.root.id = "sharing";
    this.root.hidden = true;
    this.root.addEventListener("click", (ev) => this.onClick(ev));
    parent.append(this.root);
  }

  /** Shows `m` (null hides the panel). */
  update(m: SharingModel | null): void {
    const key = sharingKey(m);
    if (key === this.key) return;
    this.key = key;
    this.rebuild(m);
  }

  private rebuild(m: SharingModel | null): void {
    this.root.replaceChildren();
    this.root.hidden = m === null;
    if (!m) return;
    this.root.append(el("div", "title", "shared vision"));
    if (m.sharesTo.length > 0) {
      this.root.append(el("div", "section", "we share with"));
      for (const r of m.sharesTo) this.root.append(this.row(r, "shares-to", true));
    }
    if (m.sharedFrom.length > 0) {
      this.root.append(el("div", "section", "sharing with us"));
      for (const r of m.sharedFrom) this.root.append(this.row(r, "shared-from", false));
    }
    if (m.offer !== null) {
      const b = el("button", "share", `share vision with empire ${m.offer}`);
      b.dataset.action = "share";
      b.dataset.empire = String(m.offer);
      b.title = `empire ${m.offer} will see what our units see, until revoked`;
      this.root.append(b);
    }
  }

  private row(r: EmpireRow, cls: string, revocable: boolean): HTMLElement {
    const row = el("div", `empire ${cls}`);
    row.dataset.empire = String(r.empire);
    row.classList.toggle("selected", r.selected);
    row.append(el("span", "name", `empire ${r.empire}`));
    if (r.mutual) row.append(el("span", "mutual", "mutual"));
    if (revocable) {
      const b = el("button", "revoke", "revoke");
      b.title = `stop sharing our vision with empire ${r.empire}`;
      b.dataset.action = "revoke";
      b.dataset.empire = String(r.empire);
      row.append(b);
    }
    return row;
  }

  private onClick(ev: MouseEvent): void {
    const target = ev.target instanceof Element ? ev.target.closest("button") : null;
    if (!target) return;
    // Focus goes back to the page, so game keys (Escape, S) keep working after a click.
    target.blur();
    const empire = Number(target.dataset.empire);
    if (!Number.isInteger(empire)) return;
    if (target.dataset.action === "share") this.actions.share(empire);
    else if (target.dataset.action === "revoke") this.actions.revoke(empire);
  }
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
