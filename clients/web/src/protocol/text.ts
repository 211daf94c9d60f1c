// The text rules of the social layer (protocol/SPEC.md §21.1), as the region applies them to
// chat texts and alliance names (Rust `social::allowed_char` and `social::check_text`), so that
// the client can say what is wrong before sending. The wire carries any UTF-8; these rules are
// the region's (InvalidText, TextTooLong).

import { utf8Encoder } from "./prim";

/** Why a text would be refused: blank, over its byte limit, or holding a forbidden character. */
export type TextProblem = "empty" | "tooLong" | "forbidden";

/** Unicode White_Space, as Rust's `str::trim` strips it (JS's trim differs on U+0085 and U+FEFF). */
const BLANK = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;

/** Bytes of `text` in UTF-8 (what the protocol's string limits count). */
export function utf8Length(text: string): number {
  return utf8Encoder.encode(text).length;
}

/**
 * Whether code point `cp` may appear in chat, mail or a name: no control character (C0, DEL, C1;
 * a new line only where `newlines`), no bidirectional embedding, override or isolate, no line or
 * paragraph separator, no non-character, and (a JS string can hold one, UTF-8 cannot) no lone
 * surrogate.
 */
export function allowedChar(cp: number, newlines = false): boolean {
  if (cp === 0x0a) return newlines;
  if (cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f)) return false;
  if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) return false;
  if (cp === 0x2028 || cp === 0x2029) return false;
  if (cp >= 0xd800 && cp <= 0xdfff) return false;
  if (cp >= 0xfdd0 && cp <= 0xfdef) return false;
  return (cp & 0xfffe) !== 0xfffe;
}

/**
 * What is wrong with `text` for a limit of `max` UTF-8 bytes, checked in the region's order
 * (blank, then too long, then a forbidden character), or null if nothing is.
 */
export function checkText(text: string, max: number, newlines = false): TextProblem | null {
  if (BLANK.test(text)) return "empty";
  if (utf8Length(text) > max) return "tooLong";
  for (const ch of text) {
    if (!allowedChar(ch.codePointAt(0) ?? 0, newlines)) return "forbidden";
  }
  return null;
}
