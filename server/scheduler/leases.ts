// Liveness: no run stays RUNNING forever. Each instance holding Pull streams
// renews its heartbeat (one row, every third of a lease), marks the workers
// whose streams it holds as held by it (their rows, once as a stream opens and
// once as the last one closes) and follows the changes to their rows; any
// instance sweeps for runs whose worker went silent past the lease (neither
// its `last_seen` nor its holder's heartbeat fresh: FAILED, with the reason in
// the log, or back to QUEUED if the worker never acknowledged them) and for
// assignments not acknowledged in time (back to QUEUED). The transitions are
// the lifecycle's compare-and-sets, so several instances sweeping at once
// change each run once.
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { Lifecycle } from "../builds/lifecycle.js";
import type { Store } from "../store/db.js";
import { activeRunsOf, staleRuns } from "../store/run-leases.js";
import { listSurges } from "../store/surges.js";
import { workerGrants, workersChangedSince, type WorkerGrant } from "../store/workers.js";
import { beatInstance, holdWorkers, releaseWorkers, renewBusyWorkers } from "../store/worker-liveness.js";
import { workerGate, type Gate, type GatePolicy } from "./worker-gate.js";
import type { ConnectedWorkers, WorkerSession } from "./connected-workers.js";
import { claimableTags, sameTags } from "./claimable-tags.js";
import type { Logger } from "../logger.js";
import { randomUUID } from "node:crypto";

export interface LeaseConfig {
  /** A worker silent this long has lost its runs. */
  leaseMs: number;
  /** An assignment not acknowledged this long goes back to the queue. */
  ackMs: number;
  /** How often to renew and sweep. */
  sweepMs: number;
  /** The disk guard (sessions' gates are refreshed from their changed rows every sweep). */
  gate: GatePolicy;
}

export interface LeaseDeps {
  store: Store;
  lifecycle: Lifecycle;
  workers: ConnectedWorkers;
  now: () => number;
  log: Logger;
}

/**
 * How far before the previous sweep's read a sweep looks for changed rows (at
 * least a sweep): writes stamped just before that read but committed after
 * it, and other instances' clocks a little behind this one's.
 */
const CHANGE_MARGIN_MS = 2_000;
/** How often a sweep reads every connected worker's row all the same. */
const FULL_READ_MS = 300_000;

export class LeaseKeeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  /** When the last sweep read the changed rows (undefined: read them all next). */
  private readAt: number | undefined;
  /** When a sweep last read every connected worker's row. */
  private fullReadAt = 0;
  /** The host tags in surge as of the last sweep. */
  private surgeKey = "";
  /** This instance in the heartbeat rows and the workers' `held_by`. */
  readonly instance = randomUUID();
  /** When this instance's heartbeat was last renewed (0: never). */
  private beatAt = 0;
  /** Sessions opened whose worker's row is not yet marked as held here. */
  private unheld: WorkerSession[] = [];
  /** Workers whose last stream here closed, not yet released (a sweep failed). */
  private unreleased: string[] = [];
  /** Sessions opened whose worker's row no sweep has read yet. */
  private unread: WorkerSession[] = [];

  constructor(private readonly deps: LeaseDeps, private readonly config: LeaseConfig) {}

  /** The disk guard the sweeps apply (a facts report stamps a change only when it may judge the worker otherwise). */
  get gatePolicy(): GatePolicy {
    return this.config.gate;
  }

  start(): void {
    this.timer = setInterval(() => {
      this.running = this.tick().catch((e: unknown) => this.deps.log.warn({ err: e }, "lease sweep failed"));
    }, this.config.sweepMs);
    this.timer.unref();
  }

  /** Stops sweeping; resolves when a sweep in progress has finished. */
  stop(): Promise<void> {
    clearInterval(this.timer);
    return this.running;
  }

  async tick(): Promise<void> {
    const { store, lifecycle } = this.deps;
    const now = this.deps.now();
    for (const s of this.deps.workers.takeOpened()) {
      this.unheld.push(s);
      this.unread.push(s);
    }
    await this.renew(now);
    await this.refreshGrants(now);

    const stale = await staleRuns(store.db, now - this.config.leaseMs, now - this.config.ackMs);
    // A server killed between completing a run and rolling up its build leaves the build behind its runs.
    await lifecycle.repairBuilds(this.config.sweepMs);
    for (const run of stale) {
      const held = { id: run.id, buildId: run.build_id, worker: run.worker_name };
      if (run.status === Status.RUNNING && !run.acked) {
        await lifecycle.requeueUnacknowledged(held, `worker ${run.worker_name} never acknowledged the run; queued again`);
      } else {
        const message = run.status === Status.CANCELLING ? "cancelled (worker gone)"
          : `worker ${run.worker_name} lost: no contact for ${Math.round((now - run.last_seen) / 1000)} s`;
        await lifecycle.leaseLost(held, message);
      }
    }
  }

  /**
   * Renews this instance's heartbeat, while it holds streams, once it is a
   * third of the lease old (renewed at most leaseMs / 3 + sweepMs ago, the
   * workers it holds are never seen as silent); releases the workers whose
   * last stream here closed (seen now) and holds those whose streams opened
   * since the last sweep. With the heartbeat, the workers held here that have
   * active runs get `last_seen` renewed too, for the sweeps of instances of the
   * previous version (they read it alone).
   */
  private async renew(now: number): Promise<void> {
    const { store, workers } = this.deps;
    const dueBefore = now - this.config.leaseMs / 3;
    if (workers.size && this.beatAt <= dueBefore) {
      await beatInstance(store.db, this.instance, now);
      await renewBusyWorkers(store.db, this.instance, dueBefore, now);
      this.beatAt = now;
    }
    const gone = workers.takeGone();
    if (this.unreleased.length) gone.push(...this.unreleased.filter((name) => !workers.byName(name).length));
    this.unreleased = [];
    if (gone.length) await releaseWorkers(store.db, gone, this.instance, now).catch((e: unknown) => { this.unreleased = gone; throw e; });
    const opened = this.unheld.filter((s) => !s.closed);
    this.unheld = [];
    if (!opened.length) return;
    await holdWorkers(store.db, [...new Set(opened.map((s) => s.worker.name))], this.instance, now)
      .catch((e: unknown) => { this.unheld = opened.concat(this.unheld); throw e; });
  }

  /**
   * A worker an admin disabled (or deleted) keeps its runs but its stream
   * closes: no new ones. So does one whose claimable tags changed (restricted
   * while connected): it reconnects and Pull gives it the new tags. The others
   * get their gate (disk guard, surges) anew. Only the rows that changed since
   * the last sweep (a margin before it) are read, and those of sessions no
   * sweep has read yet; all of them when the surges changed, on the first
   * sweep, and every few minutes in case a change was missed.
   */
  private async refreshGrants(now: number): Promise<void> {
    const unread = this.unread.filter((s) => !s.closed);
    this.unread = [];
    if (!this.deps.workers.size) {
      this.readAt = undefined;
      return;
    }
    try {
      await this.readGrants(unread, now);
    } catch (e) {
      this.unread = unread.concat(this.unread);
      throw e;
    }
  }

  /** `unread`: the open sessions whose row no sweep has read yet. */
  private async readGrants(unread: readonly WorkerSession[], now: number): Promise<void> {
    const { store, workers } = this.deps;
    const since = this.readAt === undefined ? undefined : this.readAt - Math.max(this.config.sweepMs, CHANGE_MARGIN_MS);
    const [changed, surges] = await Promise.all([since === undefined ? undefined : workersChangedSince(store.db, since), listSurges(store.db)]);
    const surgeTags = surges.map((s) => s.host_tag);
    const surgeKey = surgeTags.join("\n");
    const full = !changed || surgeKey !== this.surgeKey || now - this.fullReadAt >= FULL_READ_MS;
    if (full) this.fullReadAt = now;
    const read = full ? workers.list() : [...unread, ...changed.flatMap((name) => workers.byName(name).filter((s) => s.rowRead))];
    if (read.length) {
      const rows = await workerGrants(store.db, [...new Set(read.map((s) => s.worker.name))]);
      const grants = new Map(rows.filter((r) => r.enlisted).map((r) => [r.name, r]));
      for (const s of read) {
        s.rowRead = true;
        const grant = grants.get(s.worker.name);
        if (!grant || !sameTags(claimableTags(grant), s.worker.tags)) workers.remove(s);
        else s.gate = workerGate(grant, s.worker.tags, surgeTags, this.config.gate);
      }
    }
    this.surgeKey = surgeKey;
    this.readAt = now;
  }

  /** A new session's gate (disk guard, surges) from its worker's row, set before it is first served. */
  async gateOf(grant: WorkerGrant, tags: readonly string[]): Promise<Gate> {
    const surges = await listSurges(this.deps.store.db);
    return workerGate(grant, tags, surges.map((s) => s.host_tag), this.config.gate);
  }

  /**
   * After a worker (re)opens its Pull stream with the runs it is executing:
   * assignments it never got go back to the queue, acknowledged runs it no
   * longer has (it restarted) fail, runs being cancelled are cancelled again,
   * and runs it has that are no longer its own are cancelled on the worker.
   */
  async reconcile(worker: string, activeRunIds: readonly number[]): Promise<void> {
    const { store, lifecycle, workers } = this.deps;
    const active = new Set(activeRunIds);
    const mine = await activeRunsOf(store.db, worker);
    for (const run of mine) {
      const held = { id: run.id, buildId: run.build_id, worker };
      if (active.has(run.id)) {
        if (run.status === Status.CANCELLING) workers.sendCancel(run.id, worker);
      } else if (run.status === Status.RUNNING && !run.acked) {
        await lifecycle.requeueUnacknowledged(held, `worker ${worker} never acknowledged the run; queued again`);
      } else {
        await lifecycle.leaseLost(held, run.status === Status.CANCELLING ? "cancelled" : `worker ${worker} restarted without it`);
      }
    }
    const held = new Set(mine.map((r) => r.id));
    for (const id of active) if (!held.has(id)) workers.sendCancel(id, worker);
  }
}
