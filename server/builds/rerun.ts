// JobServ's rerun: a complete run goes back to QUEUED as if new. Its artifact
// files are removed (clearFiles), then its tests, artifacts rows and console
// log are deleted, its worker and token cleared,
// all in one transaction after a compare-and-set on its status; then the
// build rolls up again and the dispatcher is woken.
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { FailedPreconditionError, NotFoundError } from "../errors.js";
import { findRunById, insertRunEvent } from "../store/runs.js";
import { refreshBuildStatus } from "./refresh.js";
import type { RunUpdateDeps } from "./run-updates.js";
import { isComplete } from "./status.js";

export async function rerunRun(deps: RunUpdateDeps, runId: number, onQueued: () => void, clearFiles: () => Promise<void> = async () => {}): Promise<void> {
  const run = await findRunById(deps.store.db, runId);
  if (!run) throw new NotFoundError(`run ${runId} not found`);
  if (!isComplete(run.status)) throw new FailedPreconditionError(`run ${run.name} is ${Status[run.status]}; only a complete run can be rerun`);
  // Before the run is queued again, so a new attempt's uploads are never removed.
  await clearFiles();
  const now = deps.now();
  const message = "rerun";
  const won = await deps.store.db.transaction().execute(async (trx) => {
    const res = await trx.updateTable("runs")
      .set({ status: Status.QUEUED, status_message: message, worker_name: null, token_hash: null, acked: 0, log_size: 0, started_at: null, completed_at: null })
      .where("id", "=", runId).where("status", "=", run.status).executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return false;
    await trx.deleteFrom("test_results").where("test_id", "in", trx.selectFrom("tests").select("id").where("run_id", "=", runId)).execute();
    await trx.deleteFrom("tests").where("run_id", "=", runId).execute();
    await trx.deleteFrom("artifacts").where("run_id", "=", runId).execute();
    await trx.deleteFrom("log_chunks").where("run_id", "=", runId).execute();
    await insertRunEvent(trx, runId, Status.QUEUED, null, message, now);
    return true;
  });
  // Another caller changed the run first (a concurrent rerun): it does the rest.
  if (!won) throw new FailedPreconditionError(`run ${run.name} changed while being rerun`);
  deps.events.run({ runId, buildId: run.build_id, status: Status.QUEUED, worker: null, message, triggerType: run.trigger_type });
  await refreshBuildStatus(deps.store, deps.events, run.build_id, now);
  onQueued();
}
