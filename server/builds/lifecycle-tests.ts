// Runs driven by tests from outside (JobServ's test API, for device labs and
// LAVA-like harnesses): a worker may report its end while the run's tests are
// still QUEUED or RUNNING; the run then stays RUNNING (`worker_done` records
// the worker's verdict, and the run no longer counts against the worker's
// slots or lease). When the last test completes, the run ends: FAILED if the
// worker or any test failed, else PASSED; then chains and roll-up as for any
// run end. Both sides check again after their own write, so of a worker's
// report and a test's last change racing, the later one ends the run (a
// compare-and-set: exactly once).
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { completeWorkerDoneRun } from "../store/run-transitions.js";
import { findRunById } from "../store/runs.js";
import { testVerdict } from "../store/tests.js";
import type { LifecycleContext } from "./lifecycle-context.js";
import { runCompleted } from "./lifecycle-run-end.js";
import { isComplete } from "./status.js";

/** Ends run `runId` if its worker is done and its tests are all complete; whether it did. */
export async function finishWhenTestsDone(ctx: LifecycleContext, runId: number): Promise<boolean> {
  const run = await findRunById(ctx.store.db, runId);
  if (!run || !run.worker_done || isComplete(run.status)) return false;
  const verdict = await testVerdict(ctx.store.db, runId);
  if (verdict.open) return false;
  const status = run.worker_done === Status.FAILED || verdict.failed ? Status.FAILED : Status.PASSED;
  const message = verdict.failed ? "tests failed" : run.worker_done === Status.FAILED ? run.status_message : "tests passed";
  const now = ctx.now();
  if (!await completeWorkerDoneRun(ctx.store.db, runId, status, message, now)) return false;
  await runCompleted(ctx, run, status, message, now);
  return true;
}
