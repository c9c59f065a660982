// Status changes made on other instances: the status-event rows are the bus.
// While somebody watches, one short poll reads both tables past a cursor by
// primary key (one query for every watcher of this instance) and hands the
// rows on as lifecycle events.
//
// MariaDB/MySQL allocate auto-increment ids when a row is inserted, not when
// its transaction commits: id 11 can be visible before id 10 is. A cursor
// that only moved past the largest id seen would skip 10 for ever. So every
// id the cursor passes without seeing it is a "hole", read again by the next
// polls (`id > after OR id IN (holes)`) until it shows up or `holeMs`
// passes (an id a rolled-back transaction took never shows up). Writers keep
// the id-to-commit gap short (event rows are the last statement of their
// transactions), so a few seconds are plenty; holes are capped in number.
// The start is handled the same way: the newest `window` ids of each table
// are looked at, and the ids missing among them are holes from the outset.
import type { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { Logger } from "../logger.js";
import type { Store } from "../store/db.js";
import { newestStatusEventIds, statusEventsAfter, type StatusEventRow, type TailCursor } from "../store/status-events.js";
import type { LifecycleEvent } from "./lifecycle-events.js";

export interface EventTailConfig {
  /** Pause between polls that found fewer than `limit` rows. */
  pollMs: number;
  /** How long an id passed over is looked for. */
  holeMs: number;
  /** Ids looked at when the tail starts (those missing among them are holes). */
  window: number;
  /** Rows per table and poll. */
  limit: number;
  /** Holes kept per table at most (the oldest go first). */
  maxHoles: number;
  log: Logger;
}

export const TAIL_DEFAULTS = { holeMs: 10_000, window: 256, limit: 500, maxHoles: 2_000 };

class Cursor {
  after = 0;
  /** id -> when it was first passed over. */
  readonly holes = new Map<number, number>();

  constructor(private readonly config: EventTailConfig) {}

  /** Starts from the newest ids (descending) of the table. */
  start(newest: readonly number[], now: number): void {
    this.after = newest[0] ?? 0;
    const present = new Set(newest);
    const low = newest.length ? newest[newest.length - 1]! : this.after;
    for (let id = this.after - 1; id > low; id--) if (!present.has(id)) this.pass(id, now);
  }

  get state(): TailCursor {
    return { after: this.after, holes: [...this.holes.keys()] };
  }

  /** Moves past the ids read (ascending); ids skipped on the way become holes; holes too old are given up. */
  advance(read: readonly number[], now: number): void {
    const seen = new Set(read);
    for (const id of read) this.holes.delete(id);
    const top = read.length ? Math.max(this.after, read[read.length - 1]!) : this.after;
    // A huge jump (ids reserved and never used) only keeps its newest holes.
    for (let id = Math.max(this.after + 1, top - this.config.maxHoles); id < top; id++) if (!seen.has(id)) this.pass(id, now);
    this.after = top;
    for (const [id, since] of this.holes) if (since < now - this.config.holeMs) this.holes.delete(id);
  }

  private pass(id: number, now: number): void {
    this.holes.set(id, now);
    if (this.holes.size > this.config.maxHoles) this.holes.delete(this.holes.keys().next().value!);
  }
}

interface Cursors { runs: Cursor; builds: Cursor }

export class EventTail {
  private cursors: Cursors | undefined;
  private started: Promise<void> | undefined;
  /** Bumped by every start and stop: a poll loop runs only while its generation is current. */
  private generation = 0;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private loop: Promise<void> = Promise.resolve();

  constructor(private readonly store: Store, private readonly deliver: (events: LifecycleEvent[]) => void, private readonly config: EventTailConfig) {}

  /** Starts polling (if it is not); resolves once the cursors are set, rejects if the store cannot say where they start. */
  start(): Promise<void> {
    if (!this.started) {
      const generation = ++this.generation;
      const cursors = this.init();
      this.started = cursors.then(() => undefined);
      cursors.then((c) => {
        if (generation !== this.generation) return;
        this.cursors = c;
        this.loop = this.loop.then(() => this.run(generation, c));
      }, () => { if (generation === this.generation) this.started = undefined; });
    }
    return this.started;
  }

  /** Stops polling; resolves when a poll in progress has finished. The next start begins from the then newest rows. */
  stop(): Promise<void> {
    this.generation++;
    this.started = undefined;
    this.cursors = undefined;
    clearTimeout(this.timer);
    this.wake?.();
    return this.loop;
  }

  /** Ids passed over and still looked for (for monitoring and tests). */
  holes(): { runs: number[]; builds: number[] } {
    return { runs: [...this.cursors?.runs.holes.keys() ?? []], builds: [...this.cursors?.builds.holes.keys() ?? []] };
  }

  private async init(): Promise<Cursors> {
    const newest = await newestStatusEventIds(this.store.db, this.config.window);
    const now = Date.now();
    const cursors = { runs: new Cursor(this.config), builds: new Cursor(this.config) };
    cursors.runs.start(newest.runs, now);
    cursors.builds.start(newest.builds, now);
    return cursors;
  }

  private async run(generation: number, cursors: Cursors): Promise<void> {
    while (generation === this.generation) {
      let full = false;
      try {
        full = await this.poll(cursors);
      } catch (e) {
        this.config.log.warn({ err: e }, "status-event tail: poll failed");
      }
      if (generation !== this.generation) return;
      if (!full) await new Promise<void>((resolve) => { this.wake = resolve; this.timer = setTimeout(resolve, this.config.pollMs); });
    }
  }

  /** One poll; true when a table had more rows than one poll reads. */
  private async poll(cursors: Cursors): Promise<boolean> {
    const rows = await statusEventsAfter(this.store.db, cursors.runs.state, cursors.builds.state, this.config.limit);
    const now = Date.now();
    const runIds = rows.filter((r) => r.kind === "run").map((r) => r.id).sort((a, b) => a - b);
    const buildIds = rows.filter((r) => r.kind === "build").map((r) => r.id).sort((a, b) => a - b);
    cursors.runs.advance(runIds, now);
    cursors.builds.advance(buildIds, now);
    if (rows.length) this.deliver(rows.map(toEvent));
    return runIds.length >= this.config.limit || buildIds.length >= this.config.limit;
  }
}

function toEvent(r: StatusEventRow): LifecycleEvent {
  const build = { buildId: r.buildId, buildNumber: r.buildNumber, projectId: r.projectId, project: r.project, eventId: r.id, status: r.status as Status, time: r.time };
  if (r.kind === "build") return { kind: "build", ...build, triggerType: r.triggerType };
  return { kind: "run", ...build, runId: r.runId!, run: r.run!, triggerType: r.triggerType, worker: r.worker, message: r.message };
}
