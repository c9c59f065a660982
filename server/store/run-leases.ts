// Reads of the lease sweep and of a worker's reconnection: active runs whose
// worker went silent or never acknowledged them, and the active runs a
// worker holds. What happens to them is decided by the run lifecycle.
import type { Kysely } from "kysely";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { Database } from "./database.js";
import { ACTIVE_STATUSES } from "./runs.js";
import { contactOf } from "./worker-liveness.js";

export interface LeasedRun { id: number; build_id: number; status: Status; acked: number; worker_name: string; last_seen: number }

/**
 * Active runs whose worker was last heard from before `silentBefore` (its own
 * `last_seen` and the heartbeat of the instance holding its stream both
 * older), or RUNNING unacknowledged ones started before `unackedBefore`.
 * `last_seen`: the later of the two.
 */
export async function staleRuns(db: Kysely<Database>, silentBefore: number, unackedBefore: number): Promise<LeasedRun[]> {
  const rows = await db.selectFrom("runs").innerJoin("workers", "workers.name", "runs.worker_name")
    .leftJoin("instances", "instances.id", "workers.held_by")
    .select(["runs.id", "runs.build_id", "runs.status", "runs.acked", "runs.worker_name", "workers.last_seen", "instances.heartbeat_at"])
    .where("runs.status", "in", ACTIVE_STATUSES).where("runs.worker_done", "=", 0)
    .where((eb) => eb.or([
      eb.and([eb("workers.last_seen", "<", silentBefore), eb.or([eb("instances.heartbeat_at", "is", null), eb("instances.heartbeat_at", "<", silentBefore)])]),
      eb.and([eb("runs.acked", "=", 0), eb("runs.status", "=", Status.RUNNING), eb("runs.started_at", "<", unackedBefore)]),
    ]))
    .execute();
  return rows.map(({ heartbeat_at, ...r }) => ({ ...r, status: r.status as Status, worker_name: r.worker_name!, last_seen: contactOf(r.last_seen, heartbeat_at) }));
}

/** The active runs held by `worker`. */
export async function activeRunsOf(db: Kysely<Database>, worker: string): Promise<{ id: number; build_id: number; status: Status; acked: number }[]> {
  const rows = await db.selectFrom("runs").select(["id", "build_id", "status", "acked"])
    .where("worker_name", "=", worker).where("status", "in", ACTIVE_STATUSES).where("worker_done", "=", 0).execute();
  return rows.map((r) => ({ ...r, status: r.status as Status }));
}
