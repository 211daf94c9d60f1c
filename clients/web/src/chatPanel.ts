// The chat panel (protocol/SPEC.md §21.1): tabs for the region, alliance and private channels,
// the log of the selected channel, and a send form (a user id field on the private tab, the
// text, its size in bytes against the 512-byte limit). Every text goes into the page with
// textContent only, never as markup: `<img src=x onerror=alert(1)>` shows as those characters.
// A click on a sender's name starts a private reply to it. New lines are appended as they
// arrive; the log is rebuilt only when the tab changes. Rejected messages show like any other
// command's (the overlay's command row and notices).

import { type ChatLine, CHAT_TABS, type ChatTab, chatLine, checkDraft, channelTab, messagesOf, parseUserId, tabChannel } from "./chatView";
import { MAX_CHAT_BYTES } from "./protocol";
import { el } from "./socialDom";
import { type ChatEntry, MAX_CHAT_LOG, type SocialState } from "./socialModel";

/** What the panel's form does. */
export interface ChatActions {
  /** Sends `text` on `channel` (to user `to` on the private one); returns whether it went out. */
  send(channel: number, text: string, to?: number): boolean;
}

/** The panel; call {@link ChatPanel.update} every frame. */
export class ChatPanel {
  private readonly root: HTMLDivElement;
  private readonly tabButtons = new Map<ChatTab, HTMLButtonElement>();
  private readonly log: HTMLDivElement;
  private readonly toInput: HTMLInputElement;
  private readonly textInput: HTMLInputElement;
  private readonly count: HTMLSpanElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly hint: HTMLDivElement;
  private tab: ChatTab = "region";
  /** The id of the latest message looked at (shown or counted unread). */
  private seen = 0;
  private readonly unread = new Map<ChatTab, number>();
  private state: SocialState | null = null;
  private me: number | null = null;

  constructor(
    parent: HTMLElement,
    private readonly actions: ChatActions,
  ) {
    this.root = el("div", "");
    this.root.id = "chat";
    this.root.hidden = true;
    const tabs = el("div", "tabs");
    for (const tab of CHAT_TABS) {
      const b = el("button", "tab", tab);
      b.type = "button";
      b.dataset.tab = tab;
      b.addEventListener("click", () => {
        b.blur();
        this.selectTab(tab);
      });
      this.tabButtons.set(tab, b);
      tabs.append(b);
    }
    this.log = el("div", "log");
    this.log.addEventListener("click", (ev) => this.onLogClick(ev));
    const form = el("form", "send");
    this.toInput = input("to", "user id");
    this.toInput.inputMode = "numeric";
    this.toInput.title = "the user id of the player to write to (click a sender's name to reply)";
    this.textInput = input("text", "say something");
    // A UTF-16 unit takes at least one byte: a legal text never has more units than the limit.
    this.textInput.maxLength = MAX_CHAT_BYTES;
    this.count = el("span", "count");
    this.sendButton = el("button", "send-button", "send");
    this.sendButton.type = "submit";
    form.append(this.toInput, this.textInput, this.count, this.sendButton);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      this.submit();
    });
    for (const i of [this.toInput, this.textInput]) {
      i.addEventListener("input", () => this.refreshDraft());
      i.addEventListener("keydown", (ev) => {
        if (ev.key === "Escape") i.blur();
      });
    }
    this.hint = el("div", "hint");
    this.root.append(tabs, this.log, form, this.hint);
    parent.append(this.root);
    this.selectTab("region");
  }

  /** Shows the chat of `state` for the player of user id `me` (null before the Welcome: hidden). */
  update(state: SocialState, me: number | null): void {
    this.root.hidden = me === null;
    if (this.state !== state || this.me !== me) {
      this.state = state;
      this.me = me;
      this.seen = state.received;
      this.rebuildLog();
      return;
    }
    if (state.received === this.seen) return;
    const atBottom = this.log.scrollTop + this.log.clientHeight >= this.log.scrollHeight - 4;
    for (const m of state.chat) {
      if (m.id <= this.seen) continue;
      const tab = channelTab(m.channel);
      if (tab === this.tab) this.log.append(lineElement(m, chatLine(m, me)));
      else if (m.from !== me) this.unread.set(tab, (this.unread.get(tab) ?? 0) + 1);
    }
    this.seen = state.received;
    while (this.log.childElementCount > MAX_CHAT_LOG) this.log.firstElementChild?.remove();
    if (atBottom) this.log.scrollTop = this.log.scrollHeight;
    this.refreshTabs();
  }

  /** Shows `tab`'s messages and sends to its channel. */
  selectTab(tab: ChatTab): void {
    this.tab = tab;
    this.unread.delete(tab);
    this.toInput.hidden = tab !== "private";
    this.rebuildLog();
    this.refreshDraft();
  }

  /** Switches to the private tab, addressed to user `to`, ready to type. */
  replyTo(to: number): void {
    this.toInput.value = String(to);
    this.selectTab("private");
    this.textInput.focus();
  }

  private rebuildLog(): void {
    this.log.replaceChildren();
    const state = this.state;
    if (state) {
      for (const m of messagesOf(state.chat, this.tab)) this.log.append(lineElement(m, chatLine(m, this.me)));
    }
    this.log.scrollTop = this.log.scrollHeight;
    this.refreshTabs();
  }

  private refreshTabs(): void {
    for (const [tab, b] of this.tabButtons) {
      const n = this.unread.get(tab) ?? 0;
      b.classList.toggle("active", tab === this.tab);
      b.classList.toggle("unread", n > 0);
      b.textContent = n > 0 ? `${tab} (${n})` : tab;
    }
  }

  private refreshDraft(): void {
    const d = checkDraft(this.textInput.value, this.tab, this.toInput.value);
    this.count.textContent = `${d.bytes}/${MAX_CHAT_BYTES}`;
    this.count.classList.toggle("over", d.bytes > MAX_CHAT_BYTES);
    this.sendButton.disabled = !d.ok;
    this.hint.textContent = d.problem;
  }

  private submit(): void {
    const text = this.textInput.value;
    const d = checkDraft(text, this.tab, this.toInput.value);
    if (!d.ok) {
      this.hint.textContent = d.problem || "type a message";
      return;
    }
    const to = this.tab === "private" ? (parseUserId(this.toInput.value) ?? undefined) : undefined;
    if (this.actions.send(tabChannel(this.tab), text, to)) {
      this.textInput.value = "";
      this.refreshDraft();
    } else {
      this.hint.textContent = "not sent: not connected";
    }
  }

  private onLogClick(ev: MouseEvent): void {
    const target = ev.target instanceof Element ? ev.target.closest("button.sender") : null;
    if (!(target instanceof HTMLButtonElement)) return;
    const to = parseUserId(target.dataset.reply ?? "");
    if (to !== null) this.replyTo(to);
  }
}

/** The element of one message: every part set with textContent. */
function lineElement(m: ChatEntry, line: ChatLine): HTMLDivElement {
  const row = el("div", `msg ch-${line.tab}`);
  row.dataset.id = String(m.id);
  row.classList.toggle("own", line.own);
  row.append(el("span", "tag", line.tag));
  if (line.replyTo !== null && !line.own) {
    const b = el("button", "sender", line.sender);
    b.type = "button";
    b.dataset.reply = String(line.replyTo);
    b.dataset.user = String(m.from);
    b.title = `reply privately to user ${line.replyTo}`;
    row.append(b);
  } else {
    const s = el("span", "sender", line.sender);
    s.dataset.user = String(m.from);
    row.append(s);
  }
  if (line.addressee !== "") {
    const to = el("button", "sender to", line.addressee);
    to.type = "button";
    to.dataset.reply = String(m.to);
    to.title = `write again to user ${m.to}`;
    row.append(to);
  }
  row.append(el("span", "text", line.text));
  return row;
}

function input(cls: string, placeholder: string): HTMLInputElement {
  const i = el("input", cls);
  i.type = "text";
  i.placeholder = placeholder;
  i.autocomplete = "off";
  i.spellcheck = false;
  return i;
}
