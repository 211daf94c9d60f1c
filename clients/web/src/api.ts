// `window.__starlane`: a read-mostly view of the client for browser tests.

import type { Camera } from "./camera";
import type { CommandLog, CommandResult } from "./commands";
import type { DeltaSyncStats } from "./deltaSync";
import type { PendingBuild } from "./economyView";
import type { LinkStatsView } from "./linkStats";
import type { AxialHex } from "./hex";
import type { ConnState, TransportKind } from "./net";
import type { JobEventView, Production } from "./production";
import { type Recipe, isBuildingKind } from "./protocol";
import type { ResumePhase } from "./resume";
import { type SocialApi, type SocialHandle, makeSocialHandle } from "./socialApi";

/** The drain and resume state as browser tests see it. */
export interface ResumeView {
  /** Reconnections that ended welcomed (moves to another edge). */
  moves: number;
  phase: ResumePhase;
  /** Whether the client holds a resume ticket. */
  ticket: boolean;
  /** Commands sent and not answered yet. */
  unanswered: number;
  /** Answers dropped because their seq had been answered already (across a move). */
  repeatedAnswers: number;
  /** Commands sent again after a move. */
  resent: number;
  /** Resumes refused (ticket invalid or expired) that fell back to a Hello. */
  ticketRefusals: number;
  lastError: string | null;
}
import type { World } from "./world";

/** A command answer as the page reported it: `error` is the CommandError code of a rejection. */
export interface AnswerView {
  seq: number;
  ok: boolean;
  error?: number;
}

/** Sources the page API reads from (live, not copies). */
export interface StarlaneApi extends SocialApi {
  state(): ConnState;
  detail(): string | null;
  /** The transport of the session: "webtransport", or "websocket" on the fallback. */
  transport(): TransportKind | null;
  empire(): number | null;
  /** Our user id from the Welcome, or null before it. */
  userId(): number | null;
  username(): string | null;
  tick(): number;
  world: World;
  camera: Camera;
  commands: CommandLog;
  rttMs(): number | null;
  rxKbps(): number;
  selected(): number | null;
  delta(): DeltaSyncStats;
  linkStats(): LinkStatsView | null;
  notices(): string[];
  answers(): AnswerView[];
  /** The empire's combat reports summed since the page loaded (SPEC.md §18.2). */
  combat(): { dealt: number; taken: number; kills: number; losses: number; reports: number };
  sendAttack(unit: number, target: number): boolean;
  sendStop(unit: number): boolean;
  /** The catalog and the own buildings' queues. */
  production: Production;
  /** One tick in ms (from the Welcome's tick rate). */
  tickMs(): number;
  /** The build chosen in the panel and waiting for a hex click, or null. */
  pendingBuild(): PendingBuild | null;
  sendBuild(unit: number, kind: number, at: AxialHex): boolean;
  sendTrain(building: number, recipe: number, repeat: boolean): boolean;
  sendCancel(building: number, job: number): boolean;
  sendShareVision(to: number): boolean;
  sendRevokeVision(to: number): boolean;
  resume(): ResumeView;
  sendMove(unit: number, to: AxialHex): boolean;
}

/** The object installed as `window.__starlane`. Every property is live. */
export interface StarlaneHandle extends SocialHandle {
  /** Connection state; also mirrored in `document.body.dataset.state`. */
  readonly state: ConnState;
  /** Why the session was rejected or closed (e.g. "token expired"), else null. */
  readonly detail: string | null;
  /** The transport of the session: "webtransport", or "websocket" on the fallback. */
  readonly transport: TransportKind | null;
  /** Our empire id from the welcome message, or null before it. */
  readonly empire: number | null;
  /** Our user id from the welcome message (what private chat addresses), or null before it. */
  readonly userId: number | null;
  /** The username the dev token was requested for. */
  readonly username: string | null;
  /** Latest server tick applied. */
  readonly tick: number;
  /** One server tick in ms (from the Welcome's tick rate). */
  readonly tickMs: number;
  /** Own units (ships: buildings, which never move, are left out) with their latest (not interpolated) hex, sorted by id. */
  myUnits(): { id: number; q: number; r: number }[];
  /** Every known entity with its latest hex, sorted by id. */
  entities(): { id: number; kind: number; owner: number; q: number; r: number; health: number }[];
  /** Screen position (CSS px in the canvas, which fills the window) of hex (q, r) under the current camera. */
  hexToScreen(q: number, r: number): { x: number; y: number };
  /** Visibility of hex (q, r): 0 shroud, 1 fog, 2 visible. */
  visibility(q: number, r: number): number;
  /** The map, or null before the map message. */
  mapInfo(): { chunkRadius: number; chunks: { q: number; r: number }[]; hexes: number; blocked: number } | null;
  /** Whether hex (q, r) is an asteroid field. */
  isBlocked(q: number, r: number): boolean;
  /** Outcome of the latest answered command, or null. */
  readonly lastCommand: CommandResult | null;
  /** Sequence number of the latest command sent (0 before the first). */
  readonly lastSentSeq: number;
  /** Selected unit id, or null. */
  readonly selected: number | null;
  /** Latest round-trip time in ms, or null before the first pong. */
  readonly rttMs: number | null;
  /** Received kilobytes (1000 bytes) per second over the last 1 s window. */
  readonly rxKbps: number;
  /** Delta-update counters: packets applied, duplicates, records missing their baseline, ... */
  delta(): DeltaSyncStats;
  /**
   * Link statistics of the WebTransport session as the overlay shows them (sampled once a
   * second; from `getStats()` where the browser has it, else the client's own counts), or null
   * before the first sample.
   */
  linkStats(): LinkStatsView | null;
  /** Notices shown in the overlay (broadcasts, revocations, world restored, moves), oldest first. */
  notices(): string[];
  /** Command answers as the page reported them (each seq once), oldest first, with a rejection's error code. */
  answers(): AnswerView[];
  /** Drain and resume state: moves made, phase, ticket held, unanswered commands. */
  resume(): ResumeView;
  /** Sends a move of `unit` to (q, r) as a click would; returns its seq, or 0 if not sent. */
  sendMove(unit: number, q: number, r: number): number;
  /** The empire's combat reports summed since the page loaded, and how many arrived. */
  combat(): { dealt: number; taken: number; kills: number; losses: number; reports: number };
  /** Orders `unit` to attack `target` as a click would; returns its seq, or 0 if not sent. */
  sendAttack(unit: number, target: number): number;
  /** Orders `unit` to stop as the S key would; returns its seq, or 0 if not sent. */
  sendStop(unit: number): number;
  /** The region's recipes (SPEC.md §19.3), in id order; empty before the Catalog message. */
  catalog(): Recipe[];
  /** The queue of own building `building`, running job first, with the running job's progress (0..1). */
  jobs(building: number): JobView[];
  /** Job events received (SPEC.md §19.4), oldest first, with the state's name. */
  jobEvents(): JobEventView[];
  /** The empire's stock (0 for a kind not reported yet). */
  resources(): { credits: number; metal: number; crystal: number };
  /** Whether own building `id` is a construction site (its queue holds a building recipe's job). */
  underConstruction(id: number): boolean;
  /** The build chosen in the panel and waiting for a hex click, or null. */
  readonly pendingBuild: PendingBuild | null;
  /** Orders `unit` to build a building of `kind` at (q, r); returns its seq, or 0 if not sent. */
  sendBuild(unit: number, kind: number, q: number, r: number): number;
  /** Queues `recipe` in `building` as the panel's button would; returns its seq, or 0 if not sent. */
  sendTrain(building: number, recipe: number, repeat?: boolean): number;
  /** Cancels job `job` of `building`; returns its seq, or 0 if not sent. */
  sendCancel(building: number, job: number): number;
  /** The empires we share our vision with and those sharing theirs with us (SPEC.md §20), ascending. */
  sharing(): { sharesTo: number[]; sharedFrom: number[] };
  /** Shares our vision with empire `to` as the panel's button would; returns its seq, or 0 if not sent. */
  sendShareVision(to: number): number;
  /** Stops sharing our vision with empire `to`; returns its seq, or 0 if not sent. */
  sendRevokeVision(to: number): number;
  /**
   * The remembered entities (SPEC.md §20.6: LastSeen snapshots, drawn faded), sorted by id, with
   * where they were last seen and how long ago (seconds, from the page's clock).
   */
  lastSeen(): LastSeenView[];
}

/** A remembered entity as browser tests see it. */
export interface LastSeenView {
  id: number;
  kind: number;
  owner: number;
  q: number;
  r: number;
  /** When it was last seen (ms, `performance.now()` clock): receive time minus the event's age. */
  seenAtMs: number;
  /** Whole seconds since it was last seen. */
  ageSecs: number;
}

/** One job of a queue as browser tests see it. */
export interface JobView {
  job: number;
  recipe: number;
  /** The recipe's name ("recipe N" if the catalog lacks it). */
  name: string;
  running: boolean;
  /** 0..1 for the running job (time since its start over its recipe's ticks), 0 if queued. */
  progress: number;
}

declare global {
  interface Window {
    __starlane?: StarlaneHandle;
  }
}

/** Builds the handle over `src`. */
export function makeHandle(src: StarlaneApi): StarlaneHandle {
  return {
    ...makeSocialHandle(src),
    get state() {
      return src.state();
    },
    get detail() {
      return src.detail();
    },
    get transport() {
      return src.transport();
    },
    get empire() {
      return src.empire();
    },
    get userId() {
      return src.userId();
    },
    get username() {
      return src.username();
    },
    get tick() {
      return src.tick();
    },
    get tickMs() {
      return src.tickMs();
    },
    myUnits() {
      const empire = src.empire();
      if (empire === null) return [];
      return src.world
        .snapshot()
        .filter((e) => e.owner === empire && !isBuildingKind(e.kind))
        .map((e) => ({ id: e.id, q: e.q, r: e.r }));
    },
    entities() {
      return src.world
        .snapshot()
        .map((e) => ({ id: e.id, kind: e.kind, owner: e.owner, q: e.q, r: e.r, health: e.health }));
    },
    hexToScreen(q: number, r: number) {
      const p = src.camera.hexToScreen(q, r);
      return { x: p.x, y: p.y };
    },
    visibility(q: number, r: number) {
      return src.world.visibility(q, r);
    },
    mapInfo() {
      const w = src.world;
      if (w.mapHexes.length === 0) return null;
      return {
        chunkRadius: w.chunkRadius,
        chunks: w.chunks.map((c) => ({ q: c.q, r: c.r })),
        hexes: w.mapHexes.length,
        blocked: w.blockedCount,
      };
    },
    isBlocked(q: number, r: number) {
      return src.world.isBlocked(q, r);
    },
    get lastCommand() {
      const c = src.commands.last;
      return c ? { ...c } : null;
    },
    get lastSentSeq() {
      return src.commands.lastSentSeq;
    },
    get selected() {
      return src.selected();
    },
    get rttMs() {
      return src.rttMs();
    },
    get rxKbps() {
      return src.rxKbps();
    },
    delta() {
      return { ...src.delta() };
    },
    notices() {
      return [...src.notices()];
    },
    answers() {
      return src.answers().map((a) => ({ ...a }));
    },
    resume() {
      return { ...src.resume() };
    },
    combat() {
      return { ...src.combat() };
    },
    sendAttack(unit: number, target: number) {
      return src.sendAttack(unit, target) ? src.commands.lastSentSeq : 0;
    },
    sendStop(unit: number) {
      return src.sendStop(unit) ? src.commands.lastSentSeq : 0;
    },
    sendMove(unit: number, q: number, r: number) {
      return src.sendMove(unit, { q, r }) ? src.commands.lastSentSeq : 0;
    },
    catalog() {
      return structuredClone(src.production.catalog());
    },
    jobs(building: number) {
      const p = src.production;
      const now = performance.now();
      return p.queue(building).map((j) => ({
        job: j.job,
        recipe: j.recipe,
        name: p.recipes.get(j.recipe)?.name ?? `recipe ${j.recipe}`,
        running: j.running,
        progress: p.progress(j, now, src.tickMs()),
      }));
    },
    jobEvents() {
      return src.production.events.map((e) => ({ ...e }));
    },
    resources() {
      const r = src.world.resources;
      return { credits: r.get(0) ?? 0, metal: r.get(1) ?? 0, crystal: r.get(2) ?? 0 };
    },
    underConstruction(id: number) {
      return src.production.underConstruction(id);
    },
    get pendingBuild() {
      const b = src.pendingBuild();
      return b ? { ...b } : null;
    },
    sendBuild(unit: number, kind: number, q: number, r: number) {
      return src.sendBuild(unit, kind, { q, r }) ? src.commands.lastSentSeq : 0;
    },
    sendTrain(building: number, recipe: number, repeat = false) {
      return src.sendTrain(building, recipe, repeat) ? src.commands.lastSentSeq : 0;
    },
    sendCancel(building: number, job: number) {
      return src.sendCancel(building, job) ? src.commands.lastSentSeq : 0;
    },
    sharing() {
      const sorted = (s: ReadonlySet<number>) => [...s].sort((a, b) => a - b);
      return { sharesTo: sorted(src.world.sharesTo), sharedFrom: sorted(src.world.sharedFrom) };
    },
    sendShareVision(to: number) {
      return src.sendShareVision(to) ? src.commands.lastSentSeq : 0;
    },
    sendRevokeVision(to: number) {
      return src.sendRevokeVision(to) ? src.commands.lastSentSeq : 0;
    },
    lastSeen() {
      const now = performance.now();
      return [...src.world.lastSeen.values()]
        .sort((a, b) => a.id - b.id)
        .map((m) => ({
          id: m.id,
          kind: m.kind,
          owner: m.owner,
          q: m.pos.q,
          r: m.pos.r,
          seenAtMs: m.seenAtMs,
          ageSecs: Math.max(0, Math.floor((now - m.seenAtMs) / 1000)),
        }));
    },
    linkStats() {
      const v = src.linkStats();
      return v === null ? null : { ...v, datagrams: v.datagrams === null ? null : { ...v.datagrams } };
    },
  };
}

/** Installs the handle as `window.__starlane`. */
export function installApi(src: StarlaneApi): void {
  window.__starlane = makeHandle(src);
}
