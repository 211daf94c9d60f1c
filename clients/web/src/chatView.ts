// What the chat panel shows (pure; chatPanel.ts draws it): the tabs (one per channel), each
// message's line (channel, sender, addressee, text and whom a reply goes to), and what is wrong
// with a draft before it is sent (protocol/SPEC.md §21.1). Text is data: the panel puts it in
// the page with textContent only.

import {
  CHAT_CHANNEL_NAMES,
  ChatChannel,
  MAX_CHAT_BYTES,
  MAX_USER_ID,
  type ChatMessage,
  checkText,
  utf8Length,
} from "./protocol";

/** A tab of the panel: the channel whose messages it lists and to which it sends. */
export type ChatTab = (typeof CHAT_CHANNEL_NAMES)[number];

/** The tabs, in order. */
export const CHAT_TABS: readonly ChatTab[] = CHAT_CHANNEL_NAMES;

/** The ChatChannel code of `tab`. */
export function tabChannel(tab: ChatTab): number {
  return tab === "region" ? ChatChannel.Region : tab === "alliance" ? ChatChannel.Alliance : ChatChannel.Private;
}

/** The tab listing messages of `channel` (a ChatChannel code). */
export function channelTab(channel: number): ChatTab {
  return CHAT_CHANNEL_NAMES[channel] ?? "region";
}

/** One message as the panel shows it. */
export interface ChatLine {
  tab: ChatTab;
  /** The channel's tag: "[region]", "[alliance]", "[private]". */
  tag: string;
  /** The sender's name ("you" for our own messages; "user N" if it has none). */
  sender: string;
  /** "→ user N" on our own private messages, else "". */
  addressee: string;
  /** The text, exactly as received. */
  text: string;
  /** Whether we sent it. */
  own: boolean;
  /** The user a private reply to this message goes to, or null (our own non-private messages). */
  replyTo: number | null;
}

/** The line of `m` for the player of user id `me` (null before the Welcome). */
export function chatLine(m: ChatMessage, me: number | null): ChatLine {
  const own = me !== null && m.from === me;
  const tab = channelTab(m.channel);
  const privateOwn = own && m.channel === ChatChannel.Private;
  return {
    tab,
    tag: `[${tab}]`,
    sender: own ? "you" : m.fromName !== "" ? m.fromName : `user ${m.from}`,
    addressee: privateOwn ? `→ user ${m.to}` : "",
    text: m.text,
    own,
    replyTo: privateOwn ? m.to : own ? null : m.from,
  };
}

/** A user id typed in the panel (a whole number from 1 to 2^53 - 1), or null. */
export function parseUserId(text: string): number | null {
  const t = text.trim().replace(/^#/, "");
  if (!/^[0-9]{1,16}$/.test(t)) return null;
  const id = Number(t);
  return id >= 1 && id <= MAX_USER_ID ? id : null;
}

/** A draft as the send form sees it. */
export interface DraftCheck {
  /** Whether the send button sends it. */
  ok: boolean;
  /** Bytes of UTF-8 it takes (the wire's limit is MAX_CHAT_BYTES). */
  bytes: number;
  /** What is wrong, for the player ("" when nothing, or when the draft is only empty). */
  problem: string;
}

/**
 * Checks draft `text` for `tab`, whose private addressee is typed as `toText`, against the
 * protocol's limit (`max` bytes, by default MAX_CHAT_BYTES) and the region's text rules.
 */
export function checkDraft(text: string, tab: ChatTab, toText: string, max: number = MAX_CHAT_BYTES): DraftCheck {
  const bytes = utf8Length(text);
  const problem = checkText(text, max);
  if (problem === "empty") return { ok: false, bytes, problem: "" };
  if (problem === "tooLong") return { ok: false, bytes, problem: `too long: ${bytes} of ${max} bytes` };
  if (problem === "forbidden") return { ok: false, bytes, problem: "holds a control or direction character" };
  if (tab === "private" && parseUserId(toText) === null) {
    return { ok: false, bytes, problem: "type the user id to write to" };
  }
  return { ok: true, bytes, problem: "" };
}

/** The messages of `log` on `tab`'s channel, oldest first. */
export function messagesOf<T extends ChatMessage>(log: readonly T[], tab: ChatTab): T[] {
  const channel = tabChannel(tab);
  return log.filter((m) => m.channel === channel);
}
