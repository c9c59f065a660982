// Liveness: no run stays RUNNING forever. Each instance renews `last_seen` of
// the workers whose Pull streams it holds; any instance sweeps for runs whose
// worker went silent past the lease (FAILED, with the reason in the log, or
// back to QUEUED if the worker never acknowledged them) and for assignments
// not acknowledged in time (back to QUEUED). The transitions are the
// lifecycle's compare-and-sets, so several instances sweeping at once change
// each run once.
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { Lifecycle } from "../builds/lifecycle.js";
import type { Store } from "../store/db.js";
import { activeRunsOf, staleRuns } from "../store/run-leases.js";
import { listSurges } from "../store/surges.js";
import { touchWorkers, workerGrants, type WorkerGrant } from "../store/workers.js";
import { workerGate, type Gate, type GatePolicy } from "./worker-gate.js";
import type { ConnectedWorkers } from "./connected-workers.js";
import { claimableTags, sameTags } from "./claimable-tags.js";
import type { Logger } from "../logger.js";

export interface LeaseConfig {
  /** A worker silent this long has lost its runs. */
  leaseMs: number;
  /** An assignment not acknowledged this long goes back to the queue. */
  ackMs: number;
  /** How often to renew and sweep. */
  sweepMs: number;
  /** The disk guard (sessions' gates are refreshed from the store every sweep). */
  gate: GatePolicy;
}

export interface LeaseDeps {
  store: Store;
  lifecycle: Lifecycle;
  workers: ConnectedWorkers;
  now: () => number;
  log: Logger;
}

export class LeaseKeeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly deps: LeaseDeps, private readonly config: LeaseConfig) {}

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
    const { store, workers, lifecycle } = this.deps;
    const now = this.deps.now();
    const names = [...new Set(workers.list().map((s) => s.worker.name))];
    if (names.length) {
      await touchWorkers(store.db, names, now);
      // A worker an admin disabled (or deleted) keeps its runs but its stream closes: no new
      // ones. So does one whose claimable tags changed (restricted while connected): it
      // reconnects and Pull gives it the new tags.
      const [rows, surges] = await Promise.all([workerGrants(store.db, names), listSurges(store.db)]);
      const grants = new Map(rows.filter((r) => r.enlisted).map((r) => [r.name, r]));
      const surgeTags = surges.map((s) => s.host_tag);
      for (const s of workers.list()) {
        const grant = grants.get(s.worker.name);
        if (!grant || !sameTags(claimableTags(grant), s.worker.tags)) workers.remove(s);
        else s.gate = workerGate(grant, s.worker.tags, surgeTags, this.config.gate);
      }
    }

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
