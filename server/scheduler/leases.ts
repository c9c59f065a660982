// Liveness: no run stays RUNNING forever. Each instance renews `last_seen` of
// the workers whose Pull streams it holds; any instance sweeps for runs whose
// worker went silent past the lease (FAILED, with the reason in the log, or
// back to QUEUED if the worker never acknowledged them) and for assignments
// not acknowledged in time (back to QUEUED). Every change is a compare-and-set
// on the run, so several instances sweeping at once change each run once.
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { StatusEvents } from "../builds/events.js";
import { refreshBuildStatus } from "../builds/refresh.js";
import type { Store } from "../store/db.js";
import { insertRunEvent } from "../store/runs.js";
import type { ConnectedWorkers } from "./connected-workers.js";
import { claimableTags, sameTags } from "./claimable-tags.js";
import { requeueUnacked } from "./requeue.js";
import type { Logger } from "../logger.js";

export interface LeaseConfig {
  /** A worker silent this long has lost its runs. */
  leaseMs: number;
  /** An assignment not acknowledged this long goes back to the queue. */
  ackMs: number;
  /** How often to renew and sweep. */
  sweepMs: number;
}

export interface LeaseDeps {
  store: Store;
  events: StatusEvents;
  workers: ConnectedWorkers;
  now: () => number;
  /** Appends a note to a run's console log. */
  note: (runId: number, text: string) => Promise<void>;
  /** Runs went back to the queue. */
  onRequeued: () => void;
  /** A run completed (its worker's slot is free). */
  onCompleted: (runId: number) => void;
  /** Pushes a Cancel to the worker's stream. */
  cancel: (runId: number, worker: string) => void;
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
    const { store, workers } = this.deps;
    const now = this.deps.now();
    const names = [...new Set(workers.list().map((s) => s.worker.name))];
    if (names.length) {
      await store.db.updateTable("workers").set({ last_seen: now }).where("name", "in", names).execute();
      // A worker an admin disabled (or deleted) keeps its runs but its stream closes: no new
      // ones. So does one whose claimable tags changed (restricted while connected): it
      // reconnects and Pull gives it the new tags.
      const rows = await store.db.selectFrom("workers").select(["name", "enlisted", "host_tags", "allowed_host_tags"]).where("name", "in", names).execute();
      const current = new Map(rows.filter((r) => r.enlisted).map((r) => [r.name, claimableTags(r)]));
      for (const s of workers.list()) {
        const tags = current.get(s.worker.name);
        if (!tags || !sameTags(tags, s.worker.tags)) workers.remove(s);
      }
    }

    const stale = await store.db.selectFrom("runs").innerJoin("workers", "workers.name", "runs.worker_name")
      .select(["runs.id", "runs.build_id", "runs.status", "runs.acked", "runs.worker_name", "runs.started_at", "workers.last_seen"])
      .where("runs.status", "in", [Status.RUNNING, Status.UPLOADING, Status.CANCELLING])
      .where((eb) => eb.or([
        eb("workers.last_seen", "<", now - this.config.leaseMs),
        eb.and([eb("runs.acked", "=", 0), eb("runs.status", "=", Status.RUNNING), eb("runs.started_at", "<", now - this.config.ackMs)]),
      ]))
      .execute();
    await this.repairBuilds(now);
    for (const run of stale) {
      const silentMs = now - Number(run.last_seen);
      if (run.status === Status.RUNNING && !run.acked) {
        await this.requeue(run.id, run.build_id, run.worker_name!, now);
      } else {
        const message = run.status === Status.CANCELLING ? "cancelled (worker gone)"
          : `worker ${run.worker_name} lost: no contact for ${Math.round(silentMs / 1000)} s`;
        await this.fail(run.id, run.build_id, run.worker_name!, message, now);
      }
    }
  }

  /**
   * A server killed between completing a run and rolling up its build leaves
   * the build behind its runs: builds still open whose runs are all complete
   * get their roll-up again (the roll-up is a compare-and-set, so any number
   * of instances may do this).
   */
  private async repairBuilds(now: number): Promise<void> {
    const { store, events } = this.deps;
    const open = [Status.QUEUED, Status.RUNNING, Status.RUNNING_WITH_FAILURES];
    const behind = await store.db.selectFrom("builds").select("id")
      .where("status", "in", open).where("created_at", "<", now - this.config.sweepMs)
      .where((eb) => eb.not(eb.exists(eb.selectFrom("runs").select("runs.id")
        .whereRef("runs.build_id", "=", "builds.id").where("runs.status", "not in", [Status.PASSED, Status.FAILED, Status.SKIPPED]))))
      .limit(100).execute();
    for (const b of behind) await refreshBuildStatus(store, events, b.id, now);
  }

  /**
   * After a worker (re)opens its Pull stream with the runs it is executing:
   * assignments it never got go back to the queue, acknowledged runs it no
   * longer has (it restarted) fail, runs being cancelled are cancelled again,
   * and runs it has that are no longer its own are cancelled on the worker.
   */
  async reconcile(worker: string, activeRunIds: readonly number[]): Promise<void> {
    const { store } = this.deps;
    const now = this.deps.now();
    const active = new Set(activeRunIds);
    const mine = await store.db.selectFrom("runs").select(["id", "build_id", "status", "acked"])
      .where("worker_name", "=", worker).where("status", "in", [Status.RUNNING, Status.UPLOADING, Status.CANCELLING]).execute();
    for (const run of mine) {
      if (active.has(run.id)) {
        if (run.status === Status.CANCELLING) this.deps.cancel(run.id, worker);
      } else if (run.status === Status.RUNNING && !run.acked) {
        await this.requeue(run.id, run.build_id, worker, now);
      } else {
        await this.fail(run.id, run.build_id, worker, run.status === Status.CANCELLING ? "cancelled" : `worker ${worker} restarted without it`, now);
      }
    }
    const held = new Set(mine.map((r) => r.id));
    for (const id of active) if (!held.has(id)) this.deps.cancel(id, worker);
  }

  private async requeue(runId: number, buildId: number, worker: string, now: number): Promise<void> {
    const message = `worker ${worker} never acknowledged the run; queued again`;
    if (await requeueUnacked(this.deps.store, this.deps.events, { id: runId, buildId, worker }, message, now)) this.deps.onRequeued();
  }

  private async fail(runId: number, buildId: number, worker: string, message: string, now: number): Promise<void> {
    const { store, events } = this.deps;
    const res = await store.db.updateTable("runs").set({ status: Status.FAILED, status_message: message, completed_at: now })
      .where("id", "=", runId).where("status", "in", [Status.RUNNING, Status.UPLOADING, Status.CANCELLING]).where("worker_name", "=", worker)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return;
    await insertRunEvent(store.db, runId, Status.FAILED, worker, message, now);
    events.run({ runId, buildId, status: Status.FAILED, worker, message });
    await this.deps.note(runId, `\n== ${message}: run FAILED\n`);
    await refreshBuildStatus(store, events, buildId, now);
    this.deps.onCompleted(runId);
  }
}
