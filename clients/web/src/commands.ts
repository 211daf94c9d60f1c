// Bookkeeping of the commands this client sent: sequence numbers, what is
// still unanswered, and the outcome of the latest answered one.

import type { AxialHex } from "./hex";
import { commandErrorText } from "./codes";

/** Outcome of the latest answered command (exposed to tests as `lastCommand`). */
export interface CommandResult {
  seq: number;
  ok: boolean;
  error?: string;
}

/** A sent command awaiting its answer. */
export interface PendingCommand {
  seq: number;
  /** The unit or building ordered; null for a command about an empire (shared vision). */
  unit: number | null;
  /** A move's destination (absent for stop and attack). */
  to?: AxialHex;
  /** What the command was, for messages ("train train_scout at #12"); absent if not given. */
  label?: string;
  sentAt: number;
}

/** Unanswered commands older than this are dropped from the pending list. */
const PENDING_TIMEOUT_MS = 30_000;

/** Numbers commands and matches acks and rejections to them. */
export class CommandLog {
  /** Outcome of the latest answered command, or null before any answer. */
  last: CommandResult | null = null;
  /** When `last` was set (ms), for showing it briefly. */
  lastAt = 0;
  /** Sequence number of the latest command sent (0 before the first). */
  lastSentSeq = 0;
  /** Answers for commands we do not remember sending. */
  unmatched = 0;

  private nextSeq = 1;
  private readonly pending = new Map<number, PendingCommand>();

  /**
   * Allocates the next sequence number for a command to `unit` (null for a command about an
   * empire; a move to `to`, if given; `label` says what it was, for messages about it).
   */
  begin(unit: number | null, to: AxialHex | null, now: number, label?: string): PendingCommand {
    this.expire(now);
    const cmd: PendingCommand = { seq: this.nextSeq, unit, sentAt: now };
    if (to) cmd.to = { q: to.q, r: to.r };
    if (label !== undefined) cmd.label = label;
    this.nextSeq = (this.nextSeq + 1) >>> 0 || 1;
    this.pending.set(cmd.seq, cmd);
    this.lastSentSeq = cmd.seq;
    return cmd;
  }

  /** Forgets a command that could not be sent. */
  abandon(seq: number): void {
    this.pending.delete(seq);
  }

  /** Handles an ack; returns the acknowledged command if it was pending. */
  ack(seq: number, now: number): PendingCommand | null {
    const cmd = this.take(seq);
    this.last = { seq, ok: true };
    this.lastAt = now;
    return cmd;
  }

  /** Handles a rejection; returns the rejected command if it was pending. */
  reject(seq: number, error: unknown, now: number): PendingCommand | null {
    const cmd = this.take(seq);
    this.last = { seq, ok: false, error: commandErrorText(error) };
    this.lastAt = now;
    return cmd;
  }

  /** Number of commands awaiting an answer. */
  get outstanding(): number {
    return this.pending.size;
  }

  private take(seq: number): PendingCommand | null {
    const cmd = this.pending.get(seq);
    if (!cmd) {
      this.unmatched++;
      return null;
    }
    this.pending.delete(seq);
    return cmd;
  }

  private expire(now: number): void {
    for (const [seq, cmd] of this.pending) {
      if (now - cmd.sentAt > PENDING_TIMEOUT_MS) this.pending.delete(seq);
    }
  }
}
