// Gives an unacknowledged assignment back to the queue (compare-and-set: only
// if the run is still RUNNING, unacknowledged and held by `worker`).
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { StatusEvents } from "../builds/events.js";
import { refreshBuildStatus } from "../builds/refresh.js";
import type { Store } from "../store/db.js";
import { insertRunEvent } from "../store/runs.js";

export async function requeueUnacked(store: Store, events: StatusEvents, run: { id: number; buildId: number; worker: string }, message: string, now: number): Promise<boolean> {
  const res = await store.db.updateTable("runs")
    .set({ status: Status.QUEUED, worker_name: null, token_hash: null, started_at: null })
    .where("id", "=", run.id).where("status", "=", Status.RUNNING).where("acked", "=", 0).where("worker_name", "=", run.worker)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) return false;
  await insertRunEvent(store.db, run.id, Status.QUEUED, run.worker, message, now);
  events.run({ runId: run.id, buildId: run.buildId, status: Status.QUEUED, worker: null, message });
  await refreshBuildStatus(store, events, run.buildId, now);
  return true;
}
