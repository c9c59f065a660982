// Repository function for the runs workers hold now (for WorkerAdminService).
import type { Kysely } from "kysely";
import type { Database } from "./database.js";
import { ACTIVE_STATUSES } from "./runs.js";

export interface HeldRun { project: string; buildNumber: number; run: string }

/** By worker name, oldest run first; workers holding none are absent. */
export async function heldRunsByWorker(db: Kysely<Database>, workers: readonly string[]): Promise<Map<string, HeldRun[]>> {
  const held = new Map<string, HeldRun[]>();
  if (!workers.length) return held;
  const rows = await db.selectFrom("runs").innerJoin("builds", "builds.id", "runs.build_id").innerJoin("projects", "projects.id", "builds.project_id")
    .select(["runs.worker_name", "runs.name", "builds.number", "projects.name as project"])
    .where("runs.worker_name", "in", [...new Set(workers)]).where("runs.status", "in", ACTIVE_STATUSES).where("runs.worker_done", "=", 0).orderBy("runs.id").execute();
  for (const r of rows) {
    const list = held.get(r.worker_name!) ?? [];
    list.push({ project: r.project, buildNumber: r.number, run: r.name });
    held.set(r.worker_name!, list);
  }
  return held;
}
