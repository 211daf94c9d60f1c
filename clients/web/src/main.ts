// Entry point: bootstraps the session, wires network, world, production, input, renderer,
// overlay, economy and shared-vision panels, the social dock (alliance, friends, mail and chat),
// and exposes `window.__starlane` for browser tests.

import { FriendState, type ServerMsg, type SocialMsg } from "./protocol";
import { commandErrorText, noticeKindText } from "./codes";
import { Camera } from "./camera";
import { CommandLog } from "./commands";
import { type CombatReport, DeltaSync, applyToWorld } from "./deltaSync";
import { EconomyPanel } from "./economyPanel";
import { panelModel } from "./economyView";
import { Input } from "./input";
import { type ConnState, Connection, MOVING_TEXT, nowMs } from "./net";
import { LinkStatsSampler } from "./linkStats";
import { Orders } from "./orders";
import { Overlay } from "./overlay";
import { Production } from "./production";
import { Renderer } from "./render";
import { fetchConnectInfo, fetchDevToken, resolveUsername } from "./session";
import { SharingPanel } from "./sharingPanel";
import { sharingModel } from "./sharingView";
import { SocialDock } from "./socialUi";
import { SocialState } from "./socialModel";
import { type StarlaneApi, installApi } from "./api";
import { World } from "./world";

/** Mutable client state shared by the handlers below. */
interface App {
  world: World;
  camera: Camera;
  commands: CommandLog;
  orders: Orders;
  /** The recipe catalog and the own buildings' queues. */
  production: Production;
  conn: Connection;
  input: Input | null;
  username: string | null;
  empire: number | null;
  /** Our user id from the Welcome (private chat addresses players by it). */
  userId: number | null;
  /** Chat log, alliance, members and invitations (SPEC.md §21); friends and mail (§22). */
  social: SocialState;
  /** Whether the camera has been centred on our units once. */
  centeredOnUnits: boolean;
  /** EntityPackets → world updates and Acks. */
  sync: DeltaSync;
  /** Whether an Ack send is already scheduled for the current burst of packets. */
  ackScheduled: boolean;
  /** Link statistics, sampled once a second. */
  link: LinkStatsSampler;
  /** Welcomes received (more than one: the session moved to another edge). */
  welcomes: number;
  /** Notices shown, oldest first (the latest is in the overlay). */
  notices: string[];
  /** The empire's combat reports summed since the page loaded. */
  combat: { dealt: number; taken: number; kills: number; losses: number; reports: number };
  /** Command answers as reported (each seq once), oldest first, at most MAX_ANSWERS. */
  answers: { seq: number; ok: boolean; error?: number }[];
}

/** Most command answers kept for `window.__starlane.answers()`. */
const MAX_ANSWERS = 10_000;

/** Most notices kept for `window.__starlane.notices()`. */
const MAX_NOTICES = 50;

/** How often the link statistics are sampled. */
const LINK_STATS_INTERVAL_MS = 1000;

function setBodyState(state: ConnState): void {
  document.body.dataset.state = state;
}

function onMessage(app: App, msg: ServerMsg, now: number): void {
  switch (msg.type) {
    case "welcome":
      // A session resumed elsewhere (or logged in again) gets the whole view from scratch.
      if (app.welcomes > 0) {
        app.world.clearView();
        app.production.clearQueues();
        // The session greets with the alliance, its members, the invitations, the friends and
        // the mailbox again.
        app.social.resetAlliance();
        app.social.resetFriendsAndMail();
        app.sync = new DeltaSync();
        showNotice(app, "moved to another server");
      }
      app.welcomes++;
      app.empire = msg.empire;
      app.userId = msg.userId;
      app.social.empire = msg.empire;
      app.world.setTickRate(msg.tickRateHz);
      break;
    case "map":
      app.world.applyMap(msg);
      if (!app.camera.userMoved && !app.centeredOnUnits) app.camera.centerOnHexes(app.world.chunks);
      break;
    case "catalog":
      app.production.setCatalog(msg.recipes);
      break;
    case "entityPacket": {
      const outcome = app.sync.handlePacket(msg, app.world);
      if (!outcome) break;
      applyToWorld(outcome, app.world, now);
      for (const j of outcome.jobs) app.production.apply(j, now, outcome.update.tick);
      // A building gone (destroyed, or a site whose construction was cancelled) has no queue.
      for (const id of outcome.update.disappeared) app.production.forget(id);
      for (const c of outcome.commands) answerCommand(app, c.seq, c.error, now);
      for (const r of outcome.combat) reportCombat(app, r);
      scheduleAck(app);
      break;
    }
    // The edge no longer sends these three (it uses entityPacket); still handled.
    case "update":
      app.world.applyUpdate(msg, now);
      break;
    case "commandAck":
      answerCommand(app, msg.seq, null, now);
      break;
    case "commandRejected":
      answerCommand(app, msg.seq, msg.error, now);
      break;
    case "notice": {
      const text = noticeKindText(msg.kind);
      showNotice(app, msg.text ? `${text}: ${msg.text}` : text);
      break;
    }
    case "move":
      showNotice(app, MOVING_TEXT);
      break;
    case "social":
      onSocial(app, msg.social, now);
      break;
    default:
      break;
  }
}

/**
 * Applies a Social message; a new invitation, a new friend request and the acceptance of ours
 * are also shown as notices.
 */
function onSocial(app: App, msg: SocialMsg, now: number): void {
  const fresh = msg.type === "invite" && msg.active && !app.social.invites.has(msg.alliance);
  const was = msg.type === "friend" ? app.social.friends.get(msg.user)?.state : undefined;
  app.social.apply(msg, now);
  if (fresh && msg.type === "invite") {
    showNotice(app, `invited to alliance ${msg.name} (#${msg.alliance}) by empire ${msg.from}`);
  }
  if (msg.type === "friend" && msg.state !== was) {
    if (msg.state === FriendState.Asked) showNotice(app, `friend request from ${msg.name} (user ${msg.user})`);
    if (msg.state === FriendState.Friends && was === FriendState.Requested) {
      showNotice(app, `${msg.name} (user ${msg.user}) accepted your friend request`);
    }
  }
}

/** Shows a notice (operator broadcast, revocation, world restored, a move) in the overlay
 * and in the console. */
function showNotice(app: App, line: string): void {
  console.info(`notice: ${line}`);
  app.notices.push(line);
  if (app.notices.length > MAX_NOTICES) app.notices.shift();
}

/** Records the answer to command `seq` (`error` null: accepted). */
function answerCommand(app: App, seq: number, error: number | null, now: number): void {
  // An answer repeated across a move is reported once.
  if (app.conn.resume?.answered(seq) === false) return;
  if (app.answers.length < MAX_ANSWERS) app.answers.push(error === null ? { seq, ok: true } : { seq, ok: false, error });
  if (error === null) {
    app.commands.ack(seq, now);
    return;
  }
  const cmd = app.commands.reject(seq, error, now);
  if (cmd && app.input && cmd.unit !== null && cmd.unit === app.input.selected) app.input.moveTarget = null;
  showNotice(app, `rejected: ${cmd?.label ?? `command #${seq}`}: ${commandErrorText(error)}`);
}

/**
 * Sends one Ack per burst of packets. Datagrams already queued are read one after another in
 * microtasks of the same task, so a zero-delay timeout runs after the whole burst: a burst
 * costs one Ack and a lone packet is acknowledged within one task turn. (An Ack covers the
 * newest packet and the 32 before it, far more than a burst at the edge's send rate.)
 */
function scheduleAck(app: App): void {
  if (app.ackScheduled) return;
  app.ackScheduled = true;
  setTimeout(() => {
    app.ackScheduled = false;
    const ack = app.sync.takeAck();
    if (ack) app.conn.sendDatagram({ type: "ack", newest: ack.newest, mask: ack.mask });
  }, 0);
}

/** Adds a combat report to the totals and shows it as a notice. */
function reportCombat(app: App, r: CombatReport): void {
  const c = app.combat;
  c.dealt += r.dealt;
  c.taken += r.taken;
  c.kills += r.kills;
  c.losses += r.losses;
  c.reports++;
  const parts = [`dealt ${r.dealt}`, `took ${r.taken}`];
  if (r.kills > 0) parts.push(`destroyed ${r.kills}`);
  if (r.losses > 0) parts.push(`lost ${r.losses}`);
  showNotice(app, `combat: ${parts.join(", ")}`);
}

/** Centres the camera on our units the first time we have any. */
function centerOnOwnUnits(app: App): void {
  if (app.centeredOnUnits || app.empire === null) return;
  const own = app.world.owned(app.empire);
  if (own.length === 0) return;
  if (!app.camera.userMoved) app.camera.centerOnHexes(own.map((e) => e.pos));
  app.centeredOnUnits = true;
}

/** The DOM panels updated every frame. */
interface Panels {
  economy: EconomyPanel;
  sharing: SharingPanel;
  social: SocialDock;
}

function startLoop(app: App, renderer: Renderer, overlay: Overlay, panels: Panels): void {
  const frame = (): void => {
    const now = nowMs();
    const input = app.input;
    input?.refresh();
    centerOnOwnUnits(app);
    app.conn.rx.roll(now);
    const selected = input?.selected ?? null;
    const sel = selected === null ? null : (app.world.entities.get(selected) ?? null);
    const build = input?.pendingBuild ?? null;
    renderer.draw(now, {
      myEmpire: app.empire,
      selected,
      hover: input?.hover ?? null,
      moveTarget: input?.moveTarget ?? null,
      attackTarget: input?.attackTarget ?? null,
      underConstruction: (id) => app.production.underConstruction(id),
      buildFrom: build && sel ? sel.pos : null,
      allies: app.social.allies(app.world.sharedFrom),
    });
    const tickMs = app.world.tickIntervalMs;
    panels.economy.update(panelModel(sel, app.empire, app.production, app.world.resources, build, now, tickMs));
    panels.sharing.update(sharingModel(sel, app.empire, app.world.sharesTo, app.world.sharedFrom));
    panels.social.update(app.social, app.userId, app.empire, sel);
    overlay.update({
      state: app.conn.state,
      detail: app.conn.detail,
      transport: app.conn.transportKind,
      username: app.username,
      empire: app.empire,
      link: app.link.latest,
      tick: app.world.tick,
      entities: app.world.entities.size,
      ownUnits: app.empire === null ? 0 : app.world.owned(app.empire).length,
      selected: input?.selected ?? null,
      lastCommand: app.commands.last,
      lastCommandAgeMs: now - app.commands.lastAt,
      decodeDrops: app.conn.drops.decode,
      notice: app.notices.at(-1) ?? null,
      resources: app.world.resources,
    });
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

function buildApi(app: App): StarlaneApi {
  return {
    state: () => app.conn.state,
    detail: () => app.conn.detail,
    transport: () => app.conn.transportKind,
    empire: () => app.empire,
    userId: () => app.userId,
    username: () => app.username,
    tick: () => app.world.tick,
    world: app.world,
    camera: app.camera,
    commands: app.commands,
    social: app.social,
    orders: app.orders,
    rttMs: () => app.conn.rtt.lastMs,
    rxKbps: () => app.conn.rx.kBps,
    selected: () => app.input?.selected ?? null,
    delta: () => app.sync.stats(),
    linkStats: () => app.link.latest,
    notices: () => app.notices,
    answers: () => app.answers,
    combat: () => app.combat,
    production: app.production,
    tickMs: () => app.world.tickIntervalMs,
    pendingBuild: () => app.input?.pendingBuild ?? null,
    sendAttack: (unit, target) => app.orders.attack(unit, target),
    sendStop: (unit) => app.orders.stop(unit),
    sendBuild: (unit, kind, at) => app.orders.build(unit, kind, at),
    sendTrain: (building, recipe, repeat) => app.orders.train(building, recipe, repeat),
    sendCancel: (building, job) => app.orders.cancel(building, job),
    sendShareVision: (to) => app.orders.shareVision(to),
    sendRevokeVision: (to) => app.orders.revokeVision(to),
    resume: () => {
      const r = app.conn.resume;
      return {
        moves: r?.moves ?? 0,
        phase: r?.phase ?? "playing",
        ticket: r?.ticket != null,
        unanswered: r?.unansweredCount ?? 0,
        repeatedAnswers: r?.repeatedAnswers ?? 0,
        resent: r?.resent ?? 0,
        ticketRefusals: r?.ticketRefusals ?? 0,
        lastError: r?.lastError ?? null,
      };
    },
    sendMove: (unit, to) => app.orders.move(unit, to),
  };
}

async function connect(app: App): Promise<void> {
  try {
    let store: Storage | null = null;
    try {
      store = window.localStorage;
    } catch {
      store = null;
    }
    app.username = resolveUsername(window.location.search, store);
    const info = await fetchConnectInfo();
    const token = await fetchDevToken(app.username);
    await app.conn.open(info, token, info.connectUrls);
  } catch (err) {
    app.conn.fail(err instanceof Error ? err.message : String(err));
  }
}

function main(): void {
  setBodyState("connecting");
  const canvas = document.getElementById("game");
  if (!(canvas instanceof HTMLCanvasElement)) throw new Error("missing <canvas id=game>");
  const world = new World();
  const camera = new Camera();
  const commands = new CommandLog();
  const production = new Production();
  const app: App = {
    world,
    camera,
    commands,
    production,
    orders: new Orders({
      commands,
      send: (seq, command) => app.conn.sendCommand(seq, command),
      now: nowMs,
      recipeName: (id) => production.recipes.get(id)?.name ?? null,
    }),
    conn: new Connection({
      onMessage: (msg, now) => onMessage(app, msg, now),
      onState: (state) => {
        setBodyState(state);
        // A first sample as soon as the session is up, then one a second.
        if (state === "connected") void app.link.poll();
      },
    }),
    input: null,
    username: null,
    empire: null,
    userId: null,
    social: new SocialState(),
    centeredOnUnits: false,
    sync: new DeltaSync(),
    ackScheduled: false,
    welcomes: 0,
    notices: [],
    answers: [],
    combat: { dealt: 0, taken: 0, kills: 0, losses: 0, reports: 0 },
    link: new LinkStatsSampler({
      transportStats: () => app.conn.transportStats(),
      own: () => app.conn.ownCounters(),
      now: nowMs,
    }),
  };
  app.input = new Input(canvas, {
    world,
    camera,
    myEmpire: () => app.empire,
    sendMove: (unit, to) => app.orders.move(unit, to),
    sendAttack: (unit, target) => app.orders.attack(unit, target),
    sendStop: (unit) => app.orders.stop(unit),
    sendBuild: (unit, kind, at) => app.orders.build(unit, kind, at),
    now: nowMs,
  });
  const economy = new EconomyPanel(document.body, {
    train: (building, recipe, repeat) => void app.orders.train(building, recipe, repeat),
    cancel: (building, job) => void app.orders.cancel(building, job),
    startBuild: (unit, kind, recipe) => app.input?.startBuild({ unit, kind, recipe }),
    cancelBuild: () => {
      if (app.input) app.input.pendingBuild = null;
    },
  });
  const sharing = new SharingPanel(document.body, {
    share: (to) => void app.orders.shareVision(to),
    revoke: (to) => void app.orders.revokeVision(to),
  });
  const social = new SocialDock(document.body, app.orders);
  const renderer = new Renderer(canvas, world, camera);
  window.addEventListener("resize", () => renderer.resize());
  const overlay = new Overlay(document.body);
  installApi(buildApi(app));
  startLoop(app, renderer, overlay, { economy, sharing, social });
  setInterval(() => void app.link.poll(), LINK_STATS_INTERVAL_MS);
  void connect(app);
}

main();
