// The run/build lifecycle: the only writer of run and build statuses. Every
// transition is a compare-and-set in the store, its status-event row, the
// roll-up and chained triggers where they apply, then one published event
// after commit. Everything that reacts to status changes (dispatcher, log
// tails, notifications, commit statuses, metrics, watch streams) subscribes
// here; callers of a transition need no wiring. The transitions themselves
// are in lifecycle-queue.ts, lifecycle-runs.ts, lifecycle-rollup.ts,
// lifecycle-external.ts (external builds) and lifecycle-tests.ts (runs driven
// by tests from outside).
import type { Status } from "../../gen/jobserv/v1/status_pb.js";
import { DefinitionCache } from "../projects/definition-cache.js";
import type { RunRow, WorkerRunRow } from "../store/database.js";
import type { ClaimedRunRow } from "../store/run-claims.js";
import { Identities } from "./identities.js";
import type { LifecycleContext, LifecycleDeps } from "./lifecycle-context.js";
import { LifecycleEvents, type LifecycleListener } from "./lifecycle-events.js";
import type { Placement } from "./lifecycle-placement.js";
import { queueBuild, type QueueBuildRequest } from "./lifecycle-queue.js";
import { recordExternalBuild, type ExternalBuildRequest } from "./lifecycle-external.js";
import { finishWhenTestsDone } from "./lifecycle-tests.js";
import { setAnnotation } from "../store/release-builds.js";
import { promote, repairBuilds, publishThenRollup } from "./lifecycle-rollup.js";
import { cancelBuild, cancelRun, claimRuns, leaseLost, requeueUnacked, rerunRun, runsAssigned, workerReport } from "./lifecycle-runs.js";

export class Lifecycle {
  private readonly ctx: LifecycleContext;

  /** Parsed project definitions by content, shared by everything that reads them (never parse twice). */
  readonly definitions: DefinitionCache;

  constructor(deps: LifecycleDeps, definitions = new DefinitionCache()) {
    this.definitions = definitions;
    this.ctx = { ...deps, definitions, identities: new Identities(deps.store), events: new LifecycleEvents(deps.log) };
  }

  /** Where a new build's runs may be claimed in the trigger's own transaction (the dispatcher). */
  placeNewRunsWith(placement: Placement): void {
    this.ctx.placement = placement;
  }

  /** The one subscription point; returns the function that unsubscribes. */
  subscribe(listener: LifecycleListener): () => void {
    return this.ctx.events.subscribe(listener);
  }

  /** A new build with its QUEUED runs (trigger.ts checks the request first). */
  queueBuild(req: QueueBuildRequest): Promise<{ buildId: number; number: number }> {
    return queueBuild(this.ctx, req);
  }

  /** A complete run QUEUED again, its files, tests and log gone (`clearFiles` removes its stored artifacts first). */
  rerun(runId: number, clearFiles: () => Promise<void> = async () => {}): Promise<void> {
    return rerunRun(this.ctx, runId, clearFiles);
  }

  /** Claims up to `limit` QUEUED runs matching `patterns` for `worker` (RUNNING, unpublished until `assigned`). */
  claim(worker: string, patterns: readonly string[], limit: number): Promise<ClaimedRunRow[]> {
    return claimRuns(this.ctx, worker, patterns, limit);
  }

  /** Claimed runs reached `worker`'s stream. */
  assigned(worker: string, runs: readonly ClaimedRunRow[]): Promise<void> {
    return runsAssigned(this.ctx, worker, runs);
  }

  /** A claimed run never reached `worker`: back to the queue. */
  async undelivered(run: ClaimedRunRow, worker: string): Promise<void> {
    await requeueUnacked(this.ctx, { id: run.id, buildId: run.buildId, worker }, "assignment not delivered; queued again");
  }

  /** `worker` never acknowledged the run in time (or reconnected without it): back to the queue. */
  requeueUnacknowledged(run: { id: number; buildId: number; worker: string }, message: string): Promise<boolean> {
    return requeueUnacked(this.ctx, run, message);
  }

  /** The run's worker is gone: FAILED with `message` (also noted in its log). */
  leaseLost(run: { id: number; buildId: number; worker: string }, message: string): Promise<boolean> {
    return leaseLost(this.ctx, run, message);
  }

  /** What the run's worker reports (RUNNING acknowledges; UPLOADING, PASSED, FAILED change it). */
  workerReport(run: WorkerRunRow, status: Status, message: string): Promise<{ cancelRequested: boolean }> {
    return workerReport(this.ctx, run, status, message);
  }

  cancelRun(runId: number): Promise<void> {
    return cancelRun(this.ctx, runId);
  }

  cancelBuild(buildId: number): Promise<void> {
    return cancelBuild(this.ctx, buildId);
  }

  promote(buildId: number, name: string, annotation: string): Promise<void> {
    return promote(this.ctx, buildId, name, annotation);
  }

  /** Records a build another CI made: PASSED, with PASSED runs and artifact links. */
  recordExternalBuild(req: ExternalBuildRequest): Promise<{ buildId: number; number: number }> {
    return recordExternalBuild(this.ctx, req);
  }

  /** A run's tests changed (tests driven from outside): ends the run if its worker is done and the tests are complete. */
  testsChanged(runId: number): Promise<boolean> {
    return finishWhenTestsDone(this.ctx, runId);
  }

  /** Replaces a build's annotation (no status change, no event). */
  annotate(buildId: number, annotation: string): Promise<void> {
    return setAnnotation(this.ctx.store.db, buildId, annotation);
  }

  /** Re-derives a build's status from its runs (idempotent). */
  rollup(buildId: number): Promise<void> {
    return publishThenRollup(this.ctx, [], [buildId]);
  }

  /** Rolls up open builds whose runs all completed (a crash between a run's end and its build's roll-up); `graceMs` spares builds just created. */
  repairBuilds(graceMs: number): Promise<void> {
    return repairBuilds(this.ctx, graceMs);
  }
}
