// The stats overlay: a DOM panel in the top-left corner.

import type { CommandResult } from "./commands";
import { type LinkStatsView, formatLink } from "./linkStats";
import type { ConnState, TransportKind } from "./net";
import { RESOURCE_KIND_NAMES } from "./protocol";

/** How long a command rejection stays highlighted. */
const REJECTION_HIGHLIGHT_MS = 3000;

/** Everything the overlay shows. */
export interface OverlayData {
  state: ConnState;
  detail: string | null;
  /** The transport of the session ("websocket" is the fallback), null before it opens. */
  transport: TransportKind | null;
  username: string | null;
  empire: number | null;
  /** Link statistics (RTT, variation, loss, bytes and packets each way), null before the first sample. */
  link: LinkStatsView | null;
  tick: number;
  entities: number;
  ownUnits: number;
  selected: number | null;
  lastCommand: CommandResult | null;
  /** Milliseconds since the last command result arrived. */
  lastCommandAgeMs: number;
  decodeDrops: number;
  /** The latest notice (operator broadcast, revocation, world restored, a move), or null. */
  notice: string | null;
  /** The empire's stock by resource kind (empty before the first Resource event). */
  resources: ReadonlyMap<number, number>;
}

/** One labelled row of the overlay. */
interface Row {
  value: HTMLSpanElement;
  text: string;
}

const LABELS = ["state", "transport", "player", "empire", "credits", "metal", "crystal", "rtt", "loss", "rx", "tx", "tick", "entities", "selected", "command", "notice"] as const;
type Label = (typeof LABELS)[number];

/** The overlay panel; call {@link Overlay.update} as often as you like. */
export class Overlay {
  private readonly root: HTMLDivElement;
  private readonly rows = new Map<Label, Row>();

  constructor(parent: HTMLElement) {
    this.root = document.createElement("div");
    this.root.id = "overlay";
    for (const label of LABELS) {
      const line = document.createElement("div");
      line.className = "row";
      const name = document.createElement("span");
      name.className = "label";
      name.textContent = label;
      const value = document.createElement("span");
      value.className = "value";
      value.dataset.field = label;
      line.append(name, value);
      this.root.append(line);
      this.rows.set(label, { value, text: "" });
    }
    parent.append(this.root);
  }

  /** Refreshes the panel (DOM is touched only where text changed). */
  update(d: OverlayData): void {
    this.set("state", d.detail ? `${d.state} (${d.detail})` : d.state, `state-${d.state}`);
    this.set("transport", d.transport === "websocket" ? "websocket (fallback)" : (d.transport ?? "-"));
    this.set("player", d.username ?? "-");
    this.set("empire", d.empire === null ? "-" : String(d.empire));
    RESOURCE_KIND_NAMES.forEach((name, kind) => {
      const amount = d.resources.get(kind);
      this.set(name, amount === undefined ? "-" : String(amount));
    });
    const link = formatLink(d.link);
    this.set("rtt", link.rtt);
    this.set("loss", link.loss);
    this.set("rx", link.rx);
    this.set("tx", link.tx);
    this.set("tick", String(d.tick));
    this.set("entities", `${d.entities} (own ${d.ownUnits})`);
    this.set("selected", d.selected === null ? "-" : `#${d.selected}`);
    this.set("command", commandText(d.lastCommand), commandClass(d.lastCommand, d.lastCommandAgeMs));
    this.set("notice", d.notice ?? "-");
    this.root.title = d.decodeDrops > 0 ? `${d.decodeDrops} undecodable messages dropped` : "";
  }

  private set(label: Label, text: string, cls = ""): void {
    const row = this.rows.get(label);
    if (!row) return;
    if (row.text !== text) {
      row.value.textContent = text;
      row.text = text;
    }
    if (row.value.className !== `value ${cls}`.trim()) row.value.className = `value ${cls}`.trim();
  }
}

function commandText(c: CommandResult | null): string {
  if (!c) return "-";
  return c.ok ? `#${c.seq} ok` : `#${c.seq} rejected: ${c.error ?? "?"}`;
}

function commandClass(c: CommandResult | null, ageMs: number): string {
  if (!c) return "";
  if (c.ok) return "cmd-ok";
  return ageMs < REJECTION_HIGHLIGHT_MS ? "cmd-rejected-fresh" : "cmd-rejected";
}
