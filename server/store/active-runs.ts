// Repository functions for JobServ's /health/runs/: the runs queued or active
// now, with their project, build number and build creation time, and run
// counts by status; both over the given projects only.
import type { Kysely } from "kysely";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { Database, RunRow } from "./database.js";

export type ActiveRunRow = RunRow & { project: string; build_number: number; build_created_at: number };

const OPEN = [Status.QUEUED, Status.RUNNING, Status.UPLOADING, Status.CANCELLING];

/** Highest queue priority first, then build, then run (JobServ's order). */
export async function activeRuns(db: Kysely<Database>, projectIds: readonly number[], limit: number): Promise<ActiveRunRow[]> {
  if (!projectIds.length) return [];
  const rows = await db.selectFrom("runs").innerJoin("builds", "builds.id", "runs.build_id").innerJoin("projects", "projects.id", "builds.project_id")
    .selectAll("runs").select(["projects.name as project", "builds.number as build_number", "builds.created_at as build_created_at"])
    .where("runs.status", "in", OPEN).where("builds.project_id", "in", [...projectIds])
    .orderBy("runs.queue_priority", "desc").orderBy("runs.build_id").orderBy("runs.id").limit(limit).execute();
  return rows.map((r) => ({ ...r, build_number: Number(r.build_number), build_created_at: Number(r.build_created_at) }));
}

/** Runs by status over `projectIds`. */
export async function runStatusCounts(db: Kysely<Database>, projectIds: readonly number[]): Promise<Map<Status, number>> {
  if (!projectIds.length) return new Map();
  const rows = await db.selectFrom("runs").innerJoin("builds", "builds.id", "runs.build_id")
    .select(["runs.status", (eb) => eb.fn.countAll<number>().as("n")])
    .where("builds.project_id", "in", [...projectIds]).groupBy("runs.status").execute();
  return new Map(rows.map((r) => [r.status as Status, Number(r.n)]));
}

/** Every project's id, name and visibility (for filtering by what a caller may read). */
export function projectAccessRows(db: Kysely<Database>): Promise<{ id: number; name: string; public: number }[]> {
  return db.selectFrom("projects").select(["id", "name", "public"]).orderBy("name").execute();
}
