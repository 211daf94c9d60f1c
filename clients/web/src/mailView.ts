// What the mail panel shows (pure; mailPanel.ts draws it): the inbox, oldest first, each mail with
// its sender, the time it was sent and its text (with its line breaks), the panel's title, and
// what is wrong with a draft before it is sent (protocol/SPEC.md §22.2: the text rules of chat
// with line breaks allowed, at most the region's `mail_max_bytes`, 1000 by default). Text is data:
// the panel puts it in the page with textContent only.

import { parseUserId } from "./chatView";
import { DEFAULT_MAIL_MAX_BYTES, checkText, utf8Length } from "./protocol";
import type { MailEntry, SocialState } from "./socialModel";

/** One mail as the inbox shows it. */
export interface MailRow {
  id: number;
  /** The sender's user id (a reply goes to it). */
  from: number;
  /** The sender's name ("user N" when it has none). */
  sender: string;
  /** When it was sent, as shown: local "YYYY-MM-DD HH:MM". */
  time: string;
  /** When it was sent, as an ISO 8601 UTC string (the `datetime` of the time element). */
  isoTime: string;
  /** The text, exactly as received. */
  text: string;
}

/** `n` with two digits. */
function two(n: number): string {
  return String(n).padStart(2, "0");
}

/** Unix seconds `sentAt` as local "YYYY-MM-DD HH:MM". */
export function formatSentAt(sentAt: number): string {
  const d = new Date(sentAt * 1000);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** Unix seconds `sentAt` as ISO 8601 UTC ("" when out of the Date range). */
export function isoSentAt(sentAt: number): string {
  const d = new Date(sentAt * 1000);
  return Number.isNaN(d.getTime()) ? "" : d.toISOString();
}

/** The row of mail `m`. */
export function mailRow(m: MailEntry): MailRow {
  return {
    id: m.id,
    from: m.from,
    sender: m.fromName !== "" ? m.fromName : `user ${m.from}`,
    time: formatSentAt(m.sentAt),
    isoTime: isoSentAt(m.sentAt),
    text: m.text,
  };
}

/** The inbox of `s`, oldest first. */
export function inboxRows(s: SocialState): MailRow[] {
  return s.inbox().map(mailRow);
}

/** The panel's title: "mail (3)", and "mail (3, 1 new)" with mails not looked at yet. */
export function mailTitle(count: number, unread: number): string {
  return unread > 0 ? `mail (${count}, ${unread} new)` : `mail (${count})`;
}

/** A mail draft as the compose form sees it. */
export interface MailDraftCheck {
  /** Whether the send button sends it. */
  ok: boolean;
  /** Bytes of UTF-8 the text takes. */
  bytes: number;
  /** What is wrong, for the player ("" when nothing, or when the text is only empty). */
  problem: string;
}

/**
 * Checks draft `text` to the user id typed as `toText`, for the player of user id `me`, against
 * `max` bytes (by default the region's default, DEFAULT_MAIL_MAX_BYTES) and the text rules with
 * line breaks allowed.
 */
export function checkMailDraft(
  text: string,
  toText: string,
  me: number | null,
  max: number = DEFAULT_MAIL_MAX_BYTES,
): MailDraftCheck {
  const bytes = utf8Length(text);
  const problem = checkText(text, max, true);
  if (problem === "empty") return { ok: false, bytes, problem: "" };
  if (problem === "tooLong") return { ok: false, bytes, problem: `too long: ${bytes} of ${max} bytes` };
  if (problem === "forbidden") return { ok: false, bytes, problem: "holds a control or direction character" };
  const to = parseUserId(toText);
  if (to === null) return { ok: false, bytes, problem: "type the user id to write to" };
  if (to === me) return { ok: false, bytes, problem: "that is your own user id" };
  return { ok: true, bytes, problem: "" };
}
