// Decode failures of the Starlane client protocol (protocol/SPEC.md §9): the reason labels
// shared with the Rust codec and the error every decoder throws. Re-exported by types.ts.

/** Every reason label a decoder reports (the same labels as the Rust codec). */
export const DECODE_REASONS = [
  "truncated",
  "unknown_type",
  "unknown_command",
  "bad_enum",
  "varint_overflow",
  "non_canonical_varint",
  "string_too_long",
  "list_too_long",
  "invalid_utf8",
  "nonzero_padding",
  "trailing_bytes",
  "out_of_range",
  "non_canonical",
] as const;

/** A decode failure reason label. */
export type DecodeReason = (typeof DECODE_REASONS)[number];

/** A message was refused by a decoder; `reason` is a stable label for counting. */
export class DecodeError extends Error {
  readonly reason: DecodeReason;

  constructor(reason: DecodeReason, detail?: string) {
    super(detail ? `${reason}: ${detail}` : reason);
    this.name = "DecodeError";
    this.reason = reason;
  }
}
