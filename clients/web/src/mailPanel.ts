// The mail panel (protocol/SPEC.md §22.2): the inbox, oldest first, each mail with its sender (a
// click replies), the time it was sent, its text and a delete button; and a form to write one: the
// recipient's user id, a multi-line text (Ctrl+Enter sends), its size in bytes against the
// region's default limit of 1000. Every text goes into the page with textContent only, never as
// markup: `<img src=x onerror=alert(1)>` shows as those characters, and a mail's line breaks
// stay (CSS `white-space: pre-wrap`). The inbox is rebuilt only when the mailbox changes; the
// title counts the mails and those that arrived while the panel was closed. Rejected commands
// show like any other (the overlay's command row and notices).
//
// Elements for browser tests: `#mail` (a <details>; its <summary> opens it), one
// `#mail .mail-item[data-id=N]` per mail (with `data-from`), its `.sender` (a button,
// `data-action=reply`), `time.time`, `.text` and `button[data-action=delete]`, and the form
// `#mail form.compose` with `input.to`, `textarea.text`, `.count` and `button.send`.

import { parseUserId } from "./chatView";
import { type MailRow, checkMailDraft, inboxRows, mailTitle } from "./mailView";
import { DEFAULT_MAIL_MAX_BYTES } from "./protocol";
import { button, clickedButton, dataId, el, input } from "./socialDom";
import type { SocialState } from "./socialModel";

/** What the panel's buttons do; each returns whether the command went out. */
export interface MailActions {
  /** Mails `text` to the player of user id `to`. */
  send(to: number, text: string): boolean;
  /** Deletes mail `id` from our mailbox. */
  delete(id: number): boolean;
}

/** The panel; call {@link MailPanel.update} every frame. */
export class MailPanel {
  private readonly root: HTMLDetailsElement;
  private readonly summary: HTMLElement;
  private readonly inbox: HTMLDivElement;
  private readonly toInput: HTMLInputElement;
  private readonly textArea: HTMLTextAreaElement;
  private readonly count: HTMLSpanElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly hint: HTMLDivElement;
  private state: SocialState | null = null;
  private revision = -1;
  private me: number | null = null;
  /** The mails shown while the panel was open (the others are new). */
  private seen = new Set<number>();
  private ids: number[] = [];

  constructor(
    parent: HTMLElement,
    private readonly actions: MailActions,
  ) {
    this.root = el("details", "");
    this.root.id = "mail";
    this.root.hidden = true;
    this.summary = el("summary", "title", "mail");
    this.inbox = el("div", "inbox");
    this.inbox.addEventListener("click", (ev) => this.onClick(ev));
    const form = el("form", "compose");
    this.toInput = input("to", "user id");
    this.toInput.inputMode = "numeric";
    this.toInput.title = "the user id of the player to write to (click a sender's name to reply)";
    this.textArea = el("textarea", "text");
    this.textArea.rows = 3;
    this.textArea.placeholder = "write a mail (Ctrl+Enter sends)";
    this.textArea.spellcheck = false;
    // A UTF-16 unit takes at least one byte: a legal text never has more units than the limit.
    this.textArea.maxLength = DEFAULT_MAIL_MAX_BYTES;
    this.textArea.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape") this.textArea.blur();
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
        ev.preventDefault();
        this.submit();
      }
    });
    this.count = el("span", "count");
    this.sendButton = el("button", "send", "send");
    this.sendButton.type = "submit";
    const row = el("div", "row");
    row.append(this.toInput, this.count, this.sendButton);
    form.append(row, this.textArea);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      this.submit();
    });
    for (const i of [this.toInput, this.textArea]) i.addEventListener("input", () => this.refreshDraft());
    this.hint = el("div", "hint");
    this.root.append(this.summary, this.inbox, form, this.hint);
    this.root.addEventListener("toggle", () => this.refreshTitle());
    parent.append(this.root);
    this.refreshDraft();
  }

  /** Shows the mailbox of `state` for the player of user id `me` (null before the Welcome: hidden). */
  update(state: SocialState, me: number | null): void {
    if (state !== this.state || state.mailRevision !== this.revision || me !== this.me) {
      this.state = state;
      this.revision = state.mailRevision;
      this.me = me;
      this.root.hidden = me === null;
      this.rebuild(inboxRows(state));
    }
    if (this.root.open && this.seen.size !== this.ids.length) this.refreshTitle();
  }

  /** Opens the panel with the form addressed to user `to`, ready to type. */
  composeTo(to: number): void {
    this.toInput.value = String(to);
    this.root.open = true;
    this.refreshDraft();
    this.textArea.focus();
  }

  private rebuild(rows: MailRow[]): void {
    const atBottom = this.inbox.scrollTop + this.inbox.clientHeight >= this.inbox.scrollHeight - 4;
    this.inbox.replaceChildren();
    if (rows.length === 0) this.inbox.append(el("div", "empty", "no mail"));
    for (const r of rows) this.inbox.append(mailElement(r));
    if (atBottom) this.inbox.scrollTop = this.inbox.scrollHeight;
    this.ids = rows.map((r) => r.id);
    // Forget deleted mails.
    const ids = new Set(this.ids);
    for (const id of this.seen) if (!ids.has(id)) this.seen.delete(id);
    this.refreshTitle();
  }

  private refreshTitle(): void {
    if (this.root.open) for (const id of this.ids) this.seen.add(id);
    const unread = this.ids.length - this.seen.size;
    this.summary.textContent = mailTitle(this.ids.length, unread);
    this.root.classList.toggle("unread", unread > 0);
  }

  private refreshDraft(): void {
    const d = checkMailDraft(this.textArea.value, this.toInput.value, this.me);
    this.count.textContent = `${d.bytes}/${DEFAULT_MAIL_MAX_BYTES}`;
    this.count.classList.toggle("over", d.bytes > DEFAULT_MAIL_MAX_BYTES);
    this.sendButton.disabled = !d.ok;
    this.hint.textContent = d.problem;
  }

  private submit(): void {
    const text = this.textArea.value;
    const d = checkMailDraft(text, this.toInput.value, this.me);
    const to = parseUserId(this.toInput.value);
    if (!d.ok || to === null) {
      this.hint.textContent = d.problem || "write something";
      return;
    }
    if (this.actions.send(to, text)) {
      this.textArea.value = "";
      this.refreshDraft();
    } else {
      this.hint.textContent = "not sent: not connected";
    }
  }

  private onClick(ev: MouseEvent): void {
    const b = clickedButton(ev);
    if (b === null) return;
    if (b.dataset.action === "reply") {
      const to = dataId(b.dataset.user);
      if (to !== null) this.composeTo(to);
    } else if (b.dataset.action === "delete") {
      const id = dataId(b.dataset.id);
      if (id !== null && !this.actions.delete(id)) this.hint.textContent = "not deleted: not connected";
    }
  }
}

/** The element of one mail: every part set with textContent. */
function mailElement(r: MailRow): HTMLDivElement {
  const item = el("div", "mail-item");
  item.dataset.id = String(r.id);
  item.dataset.from = String(r.from);
  const head = el("div", "head");
  const sender = button("sender", r.sender, "reply", { user: String(r.from) }, `reply to user ${r.from}`);
  const time = el("time", "time", r.time);
  if (r.isoTime !== "") time.dateTime = r.isoTime;
  head.append(sender, el("span", "user", `#${r.from}`), time);
  head.append(button("delete", "delete", "delete", { id: String(r.id) }, "delete this mail"));
  item.append(head, el("div", "text", r.text));
  return item;
}
