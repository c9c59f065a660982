// Run status changes: what a worker reports (authorised by the run token) and
// what a cancel does. Every change is a compare-and-set on the run row, then
// the build's status is refreshed and listeners are told.
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { tokenMatches } from "../auth/tokens.js";
import { InvalidArgumentError, NotFoundError, PermissionDeniedError } from "../errors.js";
import type { RunRow } from "../store/database.js";
import type { Store } from "../store/db.js";
import { buildRollupState, findRunById, insertRunEvent, transitionRun, type RollupState } from "../store/runs.js";
import type { StatusEvents } from "./events.js";
import { refreshBuildStatus } from "./refresh.js";
import { cumulativeStatus, isComplete } from "./status.js";

export interface RunUpdateDeps {
  store: Store;
  events: StatusEvents;
  now: () => number;
  /** A run completed: its worker has a free slot. */
  onRunCompleted: (run: RunRow) => void;
  /** A run held by `worker` must be stopped. */
  onCancelRequested: (runId: number, worker: string) => void;
  /** Chained triggers (builds/chain.ts), wired by main.ts. */
  chain?: ChainHooks;
}

export interface ChainHooks {
  /** A run passed: add the runs of its chained triggers to the build; throws if that is impossible. */
  runPassed(run: RunRow): Promise<void>;
  /** Every run of the build passed: add the runs of its trigger's chained triggers (idempotent). */
  buildPassed(buildId: number): Promise<void>;
  /** Appends a line to a (complete) run's console log. */
  note(runId: number, text: string): Promise<void>;
}

/**
 * Checks that `worker` may act on run `runId` with `token`: the run exists, is
 * assigned to that worker, is not complete, and the token is the run's own.
 * Unknown runs and foreign runs are both NOT_FOUND-or-PERMISSION_DENIED without
 * telling which token would have worked.
 */
export async function authoriseRunToken(store: Store, runId: number, token: string, worker: string, opts: { allowComplete?: boolean } = {}): Promise<RunRow> {
  const run = await findRunById(store.db, runId);
  if (!run) throw new NotFoundError(`run ${runId} not found`);
  if (!tokenMatches(token, run.token_hash) || run.worker_name !== worker) throw new PermissionDeniedError(`run ${runId} is not assigned to worker ${worker} with this token`);
  if (isComplete(run.status) && !opts.allowComplete) throw new PermissionDeniedError(`run ${runId} is complete; its token is no longer valid`);
  return run;
}

const WORKER_MAY_SET = new Set([Status.RUNNING, Status.UPLOADING, Status.PASSED, Status.FAILED]);
const ACTIVE = [Status.RUNNING, Status.UPLOADING, Status.CANCELLING];

/** Applies a worker's report; returns whether the run is being cancelled. */
export async function workerUpdateRun(deps: RunUpdateDeps, run: RunRow, status: Status, message: string): Promise<{ cancelRequested: boolean }> {
  if (!WORKER_MAY_SET.has(status)) throw new InvalidArgumentError(`status: a worker may report RUNNING, UPLOADING, PASSED or FAILED, not ${Status[status]}`);
  const now = deps.now();
  if (isComplete(run.status)) {
    // A retry of the final report whose answer was lost (e.g. the server died
    // after committing it) is acknowledged, and repairs the build's roll-up
    // in case the server died before doing it. Anything else is refused.
    if (status !== run.status) throw new PermissionDeniedError(`run ${run.id} is complete; its token is no longer valid`);
    await refreshBuildStatus(deps.store, deps.events, run.build_id, now);
    return { cancelRequested: false };
  }
  const cancelling = run.status === Status.CANCELLING;
  if (status === Status.RUNNING) {
    if (!run.acked) {
      await deps.store.db.updateTable("runs").set({ acked: 1 }).where("id", "=", run.id).execute();
    }
    return { cancelRequested: cancelling };
  }
  if (status === run.status) return { cancelRequested: cancelling };
  // A cancelled run that still reports UPLOADING stays CANCELLING; PASSED/FAILED end it.
  if (status === Status.UPLOADING && cancelling) return { cancelRequested: true };
  const from = status === Status.UPLOADING ? [Status.RUNNING] : ACTIVE;
  if (await transitionRun(deps.store.db, run.id, from, status, { now, message })) {
    await insertRunEvent(deps.store.db, run.id, status, run.worker_name, message, now);
    deps.events.run({ runId: run.id, buildId: run.build_id, status, worker: run.worker_name, message, triggerType: run.trigger_type });
    let known: RollupState | undefined;
    if (status === Status.PASSED && deps.chain) {
      await chainFromRun(deps, deps.chain, run, now);
      // Build-level chains are added before the roll-up, so the build never shows PASSED in between.
      known = await buildRollupState(deps.store.db, run.build_id);
      if (known && cumulativeStatus(known.runStatuses) === Status.PASSED) {
        await deps.chain.buildPassed(run.build_id);
        known = undefined; // it may have added runs: read again
      }
    }
    await refreshBuildStatus(deps.store, deps.events, run.build_id, now, known);
    if (isComplete(status)) deps.onRunCompleted(run);
  }
  return { cancelRequested: cancelling };
}

/** Fires a passed run's chained triggers; if that fails, the run fails with the reason (as JobServ). */
async function chainFromRun(deps: RunUpdateDeps, chain: ChainHooks, run: RunRow, now: number): Promise<void> {
  try {
    await chain.runPassed(run);
  } catch (e) {
    const message = `error triggering run: ${(e as Error).message}`;
    if (await transitionRun(deps.store.db, run.id, [Status.PASSED], Status.FAILED, { now, message })) {
      await insertRunEvent(deps.store.db, run.id, Status.FAILED, run.worker_name, message, now);
      deps.events.run({ runId: run.id, buildId: run.build_id, status: Status.FAILED, worker: run.worker_name, message });
      await chain.note(run.id, `\n== ERROR TRIGGERING RUN: ${(e as Error).message}\n`);
    }
  }
}

/**
 * Cancels one run: QUEUED -> FAILED at once; RUNNING/UPLOADING -> CANCELLING
 * and its worker is told. A complete run is left alone (JobServ turned PASSED
 * runs of a cancelled build into FAILED; we do not).
 */
export async function cancelRun(deps: RunUpdateDeps, runId: number): Promise<void> {
  const now = deps.now();
  const run = await findRunById(deps.store.db, runId);
  if (!run) throw new NotFoundError(`run ${runId} not found`);
  if (await transitionRun(deps.store.db, runId, [Status.QUEUED], Status.FAILED, { now, message: "cancelled" })) {
    await insertRunEvent(deps.store.db, runId, Status.FAILED, null, "cancelled", now);
    deps.events.run({ runId, buildId: run.build_id, status: Status.FAILED, worker: null, message: "cancelled" });
  } else if (await transitionRun(deps.store.db, runId, [Status.RUNNING, Status.UPLOADING], Status.CANCELLING, { now, message: "cancel requested" })) {
    await insertRunEvent(deps.store.db, runId, Status.CANCELLING, run.worker_name, "cancel requested", now);
    deps.events.run({ runId, buildId: run.build_id, status: Status.CANCELLING, worker: run.worker_name, message: "cancel requested" });
    if (run.worker_name) deps.onCancelRequested(runId, run.worker_name);
  } else {
    return;
  }
  await refreshBuildStatus(deps.store, deps.events, run.build_id, now);
}
