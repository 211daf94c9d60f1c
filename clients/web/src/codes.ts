// Human-readable names for the protocol's numeric codes. The codec may hand
// these over as numbers or already as names; both are accepted.

const REJECT_REASONS: Record<number, string> = {
  1: "malformed token",
  2: "bad signature",
  3: "wrong issuer",
  4: "token expired",
  5: "account not activated",
  6: "account banned",
  7: "token revoked",
  8: "unsupported protocol version",
  9: "region unavailable",
  10: "protocol violation",
  11: "server shutting down",
  12: "token not valid yet",
  13: "token too large",
  14: "token revoked",
  15: "server draining",
  16: "resume ticket invalid",
  17: "resume ticket expired",
};

const NOTICE_KINDS: Record<number, string> = {
  0: "broadcast",
  1: "token revoked",
  2: "world restored from a snapshot",
};

const COMMAND_ERRORS: Record<number, string> = {
  1: "unknown unit",
  2: "not your unit",
  3: "off map",
  4: "impassable",
  5: "no path",
  6: "rate limited",
  7: "immobile",
  8: "unknown target",
  9: "invalid target",
  10: "unarmed",
  11: "unknown recipe",
  12: "wrong producer",
  13: "insufficient resources",
  14: "queue full",
  15: "unknown job",
  16: "bad site",
  17: "under construction",
  18: "invalid empire",
  19: "too many vision grants",
  20: "vision not shared",
  21: "invalid text",
  22: "text too long",
  23: "already in an alliance",
  24: "not in alliance",
  25: "not invited",
  26: "not permitted by your alliance role",
  27: "alliance full",
  28: "alliance name taken",
  29: "no such player",
  30: "too many friends or friend requests",
  31: "the recipient's mailbox is full",
  32: "no such mail",
};

function describe(table: Record<number, string>, code: unknown): string {
  if (typeof code === "number") return table[code] ?? `code ${code}`;
  if (typeof code === "string") return code;
  return String(code);
}

/** Text for a session rejection reason. */
export function rejectReasonText(reason: unknown): string {
  return describe(REJECT_REASONS, reason);
}

/** Text for a notice's kind. */
export function noticeKindText(kind: unknown): string {
  return describe(NOTICE_KINDS, kind);
}

/** Text for a command rejection error. */
export function commandErrorText(error: unknown): string {
  return describe(COMMAND_ERRORS, error);
}
