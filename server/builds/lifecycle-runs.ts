// Run transitions after QUEUED: claimed and assigned to a worker (RUNNING),
// acknowledged, UPLOADING, PASSED/FAILED as the worker reports (with
// run-level chained triggers, and FAILED with the note when they cannot be
// added), cancelled (QUEUED -> FAILED, active -> CANCELLING), lost with a
// silent worker (FAILED with the reason in the log), an assignment never
// acknowledged or never delivered (back to QUEUED), and rerun (a complete run
// QUEUED again). Each: compare-and-set, event row, the run's event published,
// then the roll-up and its build's event. A worker's end while tests driven
// from outside are open leaves the run RUNNING (lifecycle-tests.ts ends it).
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { runCredential } from "./run-token.js";
import { FailedPreconditionError, InvalidArgumentError, NotFoundError, PermissionDeniedError } from "../errors.js";
import type { RunRow, WorkerRunRow } from "../store/database.js";
import { claimQueuedRuns, type ClaimedRunRow } from "../store/run-claims.js";
import { acknowledgeRun, completeRunWithoutTests, completeWorkerDoneRun, failRunOfWorker, markWorkerDone, requeueUnackedRun, resetRunForRerun, transitionRun } from "../store/run-transitions.js";
import { testVerdict } from "../store/tests.js";
import { finishWhenTestsDone } from "./lifecycle-tests.js";
import { ACTIVE_STATUSES, findRunById, listRunsOfBuilds } from "../store/runs.js";
import { runCompleted } from "./lifecycle-run-end.js";
import { recordRunChanges, runEvents, type LifecycleContext } from "./lifecycle-context.js";
import { publishThenRollup } from "./lifecycle-rollup.js";
import { isComplete } from "./status.js";

/** QUEUED -> RUNNING for `worker`: up to `limit` runs matching `patterns`. Not published until `assigned` (or given back by `undelivered`). */
export function claimRuns(ctx: LifecycleContext, worker: string, patterns: readonly string[], limit: number): Promise<ClaimedRunRow[]> {
  return claimQueuedRuns(ctx.store, { worker, patterns, limit, credential: runCredential, now: ctx.now() });
}

/** Claimed runs were pushed to `worker`'s stream: their RUNNING events, then the builds' roll-ups. */
export async function runsAssigned(ctx: LifecycleContext, worker: string, runs: readonly ClaimedRunRow[]): Promise<void> {
  if (!runs.length) return;
  const now = ctx.now();
  const events = await recordRunChanges(ctx, runs.map((c) => ({ runId: c.id, status: Status.RUNNING, worker, message: "", time: now, queuedAt: c.createdAt })));
  await publishThenRollup(ctx, events, runs.map((c) => c.buildId));
}

/**
 * RUNNING, unacknowledged and still held by `worker` -> QUEUED (an assignment
 * that never reached the worker, or that it never acknowledged). The event
 * names the worker that lost it. False when the run had moved on.
 */
export async function requeueUnacked(ctx: LifecycleContext, run: { id: number; buildId: number; worker: string }, message: string): Promise<boolean> {
  if (!await requeueUnackedRun(ctx.store.db, run.id, run.worker)) return false;
  const events = await recordRunChanges(ctx, [{ runId: run.id, status: Status.QUEUED, worker: run.worker, message, time: ctx.now() }]);
  await publishThenRollup(ctx, events, [run.buildId]);
  return true;
}

/** An active run whose worker is gone -> FAILED, the reason noted in its log. False when the run had moved on. */
export async function leaseLost(ctx: LifecycleContext, run: { id: number; buildId: number; worker: string }, message: string): Promise<boolean> {
  const now = ctx.now();
  if (!await failRunOfWorker(ctx.store.db, run.id, run.worker, message, now)) return false;
  const events = await recordRunChanges(ctx, [{ runId: run.id, status: Status.FAILED, worker: run.worker, message, time: now }]);
  // Before the event: a log tail that ends on it has read the note.
  await ctx.notes.note(run.id, `\n== ${message}: run FAILED\n`);
  await publishThenRollup(ctx, events, [run.buildId]);
  return true;
}

const WORKER_MAY_SET = new Set([Status.RUNNING, Status.UPLOADING, Status.PASSED, Status.FAILED]);

/** Applies a worker's report about its run (authorised by the run token); returns whether the run is being cancelled. */
export async function workerReport(ctx: LifecycleContext, run: WorkerRunRow, status: Status, message: string): Promise<{ cancelRequested: boolean }> {
  if (!WORKER_MAY_SET.has(status)) throw new InvalidArgumentError(`status: a worker may report RUNNING, UPLOADING, PASSED or FAILED, not ${Status[status]}`);
  if (isComplete(run.status)) {
    // A retry of the final report whose answer was lost (e.g. the server died
    // after committing it) is acknowledged, and repairs the build's roll-up
    // in case the server died before doing it. Anything else is refused.
    if (status !== run.status) throw new PermissionDeniedError(`run ${run.id} is complete; its token is no longer valid`);
    await publishThenRollup(ctx, [], [run.build_id]);
    return { cancelRequested: false };
  }
  const cancelling = run.status === Status.CANCELLING;
  if (status === Status.RUNNING) {
    if (!run.acked) await acknowledgeRun(ctx.store.db, run.id);
    return { cancelRequested: cancelling };
  }
  if (status === run.status) return { cancelRequested: cancelling };
  // A cancelled run that still reports UPLOADING stays CANCELLING; PASSED/FAILED end it.
  if (status === Status.UPLOADING && cancelling) return { cancelRequested: true };
  if (status !== Status.UPLOADING && run.worker_done) return { cancelRequested: false };
  const now = ctx.now();
  // Most runs have no tests: their end is one statement, which checks that itself.
  if (status !== Status.UPLOADING && !cancelling && await completeRunWithoutTests(ctx.store.db, run.id, status, { now, message })) {
    await runCompleted(ctx, run, status, message, now);
    return { cancelRequested: false };
  }
  if (status !== Status.UPLOADING && !cancelling && (await testVerdict(ctx.store.db, run.id)).open) {
    // Tests driven from outside are still open: the run stays RUNNING until they end (lifecycle-tests.ts).
    if (await markWorkerDone(ctx.store.db, run.id, status, message)) await finishWhenTestsDone(ctx, run.id);
    return { cancelRequested: false };
  }
  const from = status === Status.UPLOADING ? [Status.RUNNING] : ACTIVE_STATUSES;
  if (await transitionRun(ctx.store.db, run.id, from, status, { now, message })) await runCompleted(ctx, run, status, message, now);
  return { cancelRequested: cancelling };
}

/**
 * Cancels one run: QUEUED -> FAILED at once; RUNNING/UPLOADING -> CANCELLING
 * (its worker hears it from the dispatcher, which listens). A complete run is
 * left alone (JobServ turned PASSED runs of a cancelled build into FAILED; we do not).
 */
export async function cancelRun(ctx: LifecycleContext, runId: number): Promise<void> {
  const run = await findRunById(ctx.store.db, runId);
  if (!run) throw new NotFoundError(`run ${runId} not found`);
  const now = ctx.now();
  let change;
  if (run.worker_done && await completeWorkerDoneRun(ctx.store.db, runId, Status.FAILED, "cancelled", now)) {
    // Its worker is done; only tests from outside kept it open.
    change = { status: Status.FAILED, worker: run.worker_name, message: "cancelled" };
  } else if (await transitionRun(ctx.store.db, runId, [Status.QUEUED], Status.FAILED, { now, message: "cancelled" })) {
    change = { status: Status.FAILED, worker: null, message: "cancelled" };
  } else if (await transitionRun(ctx.store.db, runId, [Status.RUNNING, Status.UPLOADING], Status.CANCELLING, { now, message: "cancel requested" })) {
    change = { status: Status.CANCELLING, worker: run.worker_name, message: "cancel requested" };
  } else {
    return;
  }
  await publishThenRollup(ctx, await recordRunChanges(ctx, [{ runId, ...change, time: now }]), [run.build_id]);
}

export async function cancelBuild(ctx: LifecycleContext, buildId: number): Promise<void> {
  for (const run of await listRunsOfBuilds(ctx.store.db, [buildId])) await cancelRun(ctx, run.id);
}

/**
 * JobServ's rerun: a complete run goes back to QUEUED as if new. Its artifact
 * files are removed first (`clearFiles`, so a new attempt's uploads are never
 * removed), then its tests, artifact rows and log in the transition's own
 * transaction; then the build rolls up again.
 */
export async function rerunRun(ctx: LifecycleContext, runId: number, clearFiles: () => Promise<void>): Promise<void> {
  const run = await findRunById(ctx.store.db, runId);
  if (!run) throw new NotFoundError(`run ${runId} not found`);
  if (!isComplete(run.status)) throw new FailedPreconditionError(`run ${run.name} is ${Status[run.status]}; only a complete run can be rerun`);
  await clearFiles();
  const now = ctx.now();
  const eventId = await resetRunForRerun(ctx.store, runId, run.status, "rerun", now);
  // Another caller changed the run first (a concurrent rerun): it does the rest.
  if (eventId === undefined) throw new FailedPreconditionError(`run ${run.name} changed while being rerun`);
  await publishThenRollup(ctx, await runEvents(ctx, [{ runId, eventId, status: Status.QUEUED, worker: null, message: "rerun", time: now }]), [run.build_id]);
}
