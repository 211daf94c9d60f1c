// The economy as the client knows it (protocol/SPEC.md §19): the region's recipe catalog and,
// per own building, its production queue rebuilt from Job events. Pure logic: time and ticks
// are passed in.
//
// A queue follows the events: `queued` appends a job, `started` marks it running (and puts it
// first, where the region runs it), `completed`, `cancelled` and `stalled` remove it. A
// repeating job that completes comes back as `queued` with the same id. On join the region
// greets the client with one event per existing job (`started` for the running one, `queued`
// for the rest), so the same rules rebuild every queue; a running job greeted that way counts
// as started when the greeting arrived (its real start is not sent).

import { JOB_STATE_NAMES, JobState, type JobEvent, type Recipe, type ResourceAmount } from "./protocol";

/** One job of a building's queue. */
export interface QueuedJob {
  /** The job's id in its building. */
  job: number;
  /** Its recipe's id. */
  recipe: number;
  /** Whether it runs (the first job of the queue). */
  running: boolean;
  /** When it started (ms, the client's clock), or null while queued. */
  startedAt: number | null;
  /** The server tick of the packet that said it started, or null while queued. */
  startTick: number | null;
}

/** A job event as the page API reports it: the fields and the state's name. */
export interface JobEventView {
  building: number;
  job: number;
  recipe: number;
  state: (typeof JOB_STATE_NAMES)[number] | string;
}

/** Most job events kept for the page API. */
const MAX_EVENT_LOG = 1000;

/** The catalog and the own buildings' queues. */
export class Production {
  /** Recipes by id, from the Catalog message (empty before it). */
  readonly recipes = new Map<number, Recipe>();
  /** Job events applied, oldest first (at most MAX_EVENT_LOG), for tests. */
  readonly events: JobEventView[] = [];
  /** Job events that named a job the queue did not hold (a terminal state for an unknown job). */
  unknownJobs = 0;

  private readonly queues = new Map<number, QueuedJob[]>();

  /** Replaces the catalog (sent once per session, after Map). */
  setCatalog(recipes: readonly Recipe[]): void {
    this.recipes.clear();
    for (const r of recipes) this.recipes.set(r.id, r);
  }

  /** The catalog in id order. */
  catalog(): Recipe[] {
    return [...this.recipes.values()].sort((a, b) => a.id - b.id);
  }

  /** Applies one Job event received at `now` (ms) in a packet of server tick `tick`. */
  apply(ev: JobEvent, now: number, tick: number): void {
    this.events.push({ building: ev.building, job: ev.job, recipe: ev.recipe, state: JOB_STATE_NAMES[ev.state] ?? String(ev.state) });
    if (this.events.length > MAX_EVENT_LOG) this.events.shift();
    const queue = this.queues.get(ev.building) ?? [];
    const at = queue.findIndex((j) => j.job === ev.job);
    switch (ev.state) {
      case JobState.Queued:
        if (at >= 0) {
          // Queued again (a repeating job) without its completion seen: it waits at the end.
          queue.splice(at, 1);
        }
        queue.push({ job: ev.job, recipe: ev.recipe, running: false, startedAt: null, startTick: null });
        break;
      case JobState.Started: {
        const job = at >= 0 ? queue.splice(at, 1)[0]! : { job: ev.job, recipe: ev.recipe, running: false, startedAt: null, startTick: null };
        job.running = true;
        job.startedAt = now;
        job.startTick = tick;
        // Only the first job runs: one that ran before this one has ended (its event was lost
        // with a view reset), so it no longer counts as running.
        for (const j of queue) j.running = false;
        queue.unshift(job);
        break;
      }
      case JobState.Completed:
      case JobState.Cancelled:
      case JobState.Stalled:
        if (at >= 0) queue.splice(at, 1);
        else if (ev.state !== JobState.Stalled) this.unknownJobs++;
        break;
      default:
        return;
    }
    if (queue.length > 0) this.queues.set(ev.building, queue);
    else this.queues.delete(ev.building);
  }

  /** Drops a building's queue (its entity disappeared: destroyed, or a cancelled site). */
  forget(building: number): void {
    this.queues.delete(building);
  }

  /** Forgets every queue (the session starts again from the region's greeting). */
  clearQueues(): void {
    this.queues.clear();
  }

  /** The queue of `building`, running job first (a copy). */
  queue(building: number): QueuedJob[] {
    return (this.queues.get(building) ?? []).map((j) => ({ ...j }));
  }

  /** Ids of the buildings that have a queue. */
  buildings(): number[] {
    return [...this.queues.keys()].sort((a, b) => a - b);
  }

  /** Whether `building` is a construction site: its queue holds a job whose recipe outputs a building. */
  underConstruction(building: number): boolean {
    const queue = this.queues.get(building);
    if (!queue) return false;
    return queue.some((j) => this.recipes.get(j.recipe)?.output.type === "building");
  }

  /** Recipes a building of `kind` trains (Train): its producer is `kind` and its output no building. */
  trainRecipes(kind: number): Recipe[] {
    return this.catalog().filter((r) => r.producer === kind && r.output.type !== "building");
  }

  /** Recipes a unit of `kind` builds (Build): its producer is `kind` and its output a building. */
  buildRecipes(kind: number): Recipe[] {
    return this.catalog().filter((r) => r.producer === kind && r.output.type === "building");
  }

  /**
   * How far the running `job` is, 0..1, at `now` (ms): the time since it started over its
   * recipe's ticks at `tickMs` a tick. 0 for a queued job or an unknown recipe.
   */
  progress(job: QueuedJob, now: number, tickMs: number): number {
    const recipe = this.recipes.get(job.recipe);
    if (!job.running || job.startedAt === null || !recipe) return 0;
    const total = Math.max(1, recipe.ticks) * tickMs;
    const f = (now - job.startedAt) / total;
    return f < 0 ? 0 : f > 1 ? 1 : f;
  }
}

/** Whether `stock` (resource kind → amount) covers `inputs`. */
export function affordable(inputs: readonly ResourceAmount[], stock: ReadonlyMap<number, number>): boolean {
  return inputs.every((a) => (stock.get(a.kind) ?? 0) >= a.amount);
}
