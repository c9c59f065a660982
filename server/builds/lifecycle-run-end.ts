// A run's end, after its committed change (reported by its worker, or by its
// tests driven from outside): its event, its run-level chained triggers if it
// passed (FAILED with the note when they cannot be added, as JobServ), then
// the build's roll-up. Shared by lifecycle-runs.ts and lifecycle-tests.ts.
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { RunRow, WorkerRunRow } from "../store/database.js";
import { transitionRun } from "../store/run-transitions.js";
import { fireRunChains } from "./chain.js";
import { recordRunChanges, type LifecycleContext } from "./lifecycle-context.js";
import type { LifecycleEvent } from "./lifecycle-events.js";
import { publishThenRollup } from "./lifecycle-rollup.js";

/** After a run's committed change to `status` (by its worker, or its tests): its event, chains if it passed, the roll-up. */
export async function runCompleted(ctx: LifecycleContext, run: WorkerRunRow, status: Status, message: string, now: number): Promise<void> {
  // The slot is free in the store now: the worker's next run need not wait for this run's event.
  if (run.worker_name) ctx.placement?.freed(run.worker_name, run.id);
  ctx.events.publish(await recordRunChanges(ctx, [{ runId: run.id, status, worker: run.worker_name, message, time: now }]));
  const failed = status === Status.PASSED ? await chainFromRun(ctx, run) : [];
  await publishThenRollup(ctx, failed, [run.build_id]);
}

/** Fires a passed run's chained triggers; if that fails, the run fails with the reason (as JobServ): that event, unpublished. */
async function chainFromRun(ctx: LifecycleContext, run: WorkerRunRow): Promise<LifecycleEvent[]> {
  try {
    await fireRunChains(ctx, run);
    return [];
  } catch (e) {
    const now = ctx.now();
    const message = `error triggering run: ${(e as Error).message}`;
    if (!await transitionRun(ctx.store.db, run.id, [Status.PASSED], Status.FAILED, { now, message })) return [];
    const events = await recordRunChanges(ctx, [{ runId: run.id, status: Status.FAILED, worker: run.worker_name, message, time: now }]);
    await ctx.notes.note(run.id, `\n== ERROR TRIGGERING RUN: ${(e as Error).message}\n`);
    return events;
  }
}
