// Repository functions for a run name's history across a project's builds
// (newest build first, by offset with the total, JobServ's page/limit) and
// the runs' status-event rows (their history, and when each last started).
import type { Kysely } from "kysely";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { Database, RunRow } from "./database.js";

export type HistoryRun = RunRow & { build_number: number };

export async function runHistoryPage(db: Kysely<Database>, projectId: number, name: string, offset: number, limit: number): Promise<HistoryRun[]> {
  const rows = await db.selectFrom("runs").innerJoin("builds", "builds.id", "runs.build_id")
    .selectAll("runs").select("builds.number as build_number")
    .where("builds.project_id", "=", projectId).where("runs.name", "=", name)
    .orderBy("builds.number", "desc").limit(limit).offset(offset).execute();
  return rows.map((r) => ({ ...r, build_number: Number(r.build_number) }));
}

export async function countRunHistory(db: Kysely<Database>, projectId: number, name: string): Promise<number> {
  const row = await db.selectFrom("runs").innerJoin("builds", "builds.id", "runs.build_id")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("builds.project_id", "=", projectId).where("runs.name", "=", name).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Time of each run's last RUNNING event (runs never started are absent). */
export async function lastStartTimes(db: Kysely<Database>, runIds: readonly number[]): Promise<Map<number, number>> {
  if (!runIds.length) return new Map();
  const rows = await db.selectFrom("run_events").select(["run_id", (eb) => eb.fn.max<number>("time").as("t")])
    .where("run_id", "in", [...new Set(runIds)]).where("status", "=", Status.RUNNING).groupBy("run_id").execute();
  return new Map(rows.map((r) => [Number(r.run_id), Number(r.t)]));
}

export interface RunEventRow { status: Status; time: number; worker: string | null; message: string }

/** A run's status history, oldest first. */
export async function listRunEvents(db: Kysely<Database>, runId: number): Promise<RunEventRow[]> {
  const rows = await db.selectFrom("run_events").select(["status", "time", "worker_name", "message"]).where("run_id", "=", runId).orderBy("id").execute();
  return rows.map((r) => ({ status: r.status as Status, time: Number(r.time), worker: r.worker_name, message: r.message }));
}

/** Which of `runIds` have tests. */
export async function runsWithTests(db: Kysely<Database>, runIds: readonly number[]): Promise<Set<number>> {
  if (!runIds.length) return new Set();
  const rows = await db.selectFrom("tests").select("run_id").distinct().where("run_id", "in", [...new Set(runIds)]).execute();
  return new Set(rows.map((r) => Number(r.run_id)));
}
