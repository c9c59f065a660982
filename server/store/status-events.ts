// The status-event rows (run_events, build_events) read as a bus: rows past a
// cursor, by primary key, joined with the names every listener needs; and the
// identities (project, build, run names) that never change once created.
import { sql, type Kysely } from "kysely";
import type { Database } from "./database.js";

/** Where a tail of one table stands: every id up to `after` was read, except `holes` (not committed yet when seen). */
export interface TailCursor { after: number; holes: readonly number[] }

/** One status-event row with its run's, build's and project's identity. */
export interface StatusEventRow {
  kind: "run" | "build";
  id: number; status: number; worker: string | null; message: string; time: number;
  runId: number | null; run: string | null;
  buildId: number; buildNumber: number; projectId: number; project: string; triggerType: string;
}

const KIND_RUN = 1;

/**
 * Events of both tables past their cursors (and in their holes), at most
 * `limit` of each, in id order per table: one query (UNION ALL of two primary
 * key range scans, each joined by primary keys).
 */
export async function statusEventsAfter(db: Kysely<Database>, runs: TailCursor, builds: TailCursor, limit: number): Promise<StatusEventRow[]> {
  const runPart = db.selectFrom("run_events as e")
    .innerJoin("runs as r", "r.id", "e.run_id").innerJoin("builds as b", "b.id", "r.build_id").innerJoin("projects as p", "p.id", "b.project_id")
    .select([sql<number>`${KIND_RUN}`.as("kind"), "e.id", "e.status", "e.worker_name as worker", "e.message", "e.time",
      sql<number | null>`r.id`.as("run_id"), sql<string | null>`r.name`.as("run"), "b.id as build_id", "b.number", "p.id as project_id", "p.name as project", "r.trigger_type"])
    .where((eb) => runs.holes.length ? eb.or([eb("e.id", ">", runs.after), eb("e.id", "in", [...runs.holes])]) : eb("e.id", ">", runs.after))
    .orderBy("e.id").limit(limit);
  const buildPart = db.selectFrom("build_events as e")
    .innerJoin("builds as b", "b.id", "e.build_id").innerJoin("projects as p", "p.id", "b.project_id")
    .select([sql<number>`${KIND_RUN + 1}`.as("kind"), "e.id", "e.status", sql<string | null>`NULL`.as("worker"), sql<string>`''`.as("message"), "e.time",
      sql<number | null>`NULL`.as("run_id"), sql<string | null>`NULL`.as("run"), "b.id as build_id", "b.number", "p.id as project_id", "p.name as project", "b.trigger_type"])
    .where((eb) => builds.holes.length ? eb.or([eb("e.id", ">", builds.after), eb("e.id", "in", [...builds.holes])]) : eb("e.id", ">", builds.after))
    .orderBy("e.id").limit(limit);
  // Each part is a derived table: SQLite allows ORDER BY/LIMIT only at the end of a compound SELECT.
  const rows = await db.selectFrom(runPart.as("re")).selectAll()
    .unionAll(db.selectFrom(buildPart.as("be")).selectAll())
    .execute();
  return rows.map((r) => ({
    kind: Number(r.kind) === KIND_RUN ? "run" : "build",
    id: Number(r.id), status: Number(r.status), worker: r.worker, message: r.message, time: Number(r.time),
    runId: r.run_id === null ? null : Number(r.run_id), run: r.run,
    buildId: Number(r.build_id), buildNumber: Number(r.number), projectId: Number(r.project_id), project: r.project, triggerType: r.trigger_type,
  }));
}

/** The newest `count` ids of each table, newest first (where a tail starts). */
export async function newestStatusEventIds(db: Kysely<Database>, count: number): Promise<{ runs: number[]; builds: number[] }> {
  const [runs, builds] = await Promise.all([
    db.selectFrom("run_events").select("id").orderBy("id", "desc").limit(count).execute(),
    db.selectFrom("build_events").select("id").orderBy("id", "desc").limit(count).execute(),
  ]);
  return { runs: runs.map((r) => Number(r.id)), builds: builds.map((r) => Number(r.id)) };
}

export interface RunIdentityRow { runId: number; run: string; triggerType: string; buildId: number; buildNumber: number; projectId: number; project: string }
export interface BuildIdentityRow { buildId: number; buildNumber: number; triggerType: string; projectId: number; project: string }

export async function runIdentities(db: Kysely<Database>, runIds: readonly number[]): Promise<Map<number, RunIdentityRow>> {
  if (!runIds.length) return new Map();
  const rows = await db.selectFrom("runs").innerJoin("builds", "builds.id", "runs.build_id").innerJoin("projects", "projects.id", "builds.project_id")
    .select(["runs.id as runId", "runs.name as run", "runs.trigger_type as triggerType", "builds.id as buildId", "builds.number as buildNumber", "projects.id as projectId", "projects.name as project"])
    .where("runs.id", "in", [...new Set(runIds)]).execute();
  return new Map(rows.map((r) => [r.runId, { ...r, buildNumber: Number(r.buildNumber) }]));
}

export async function buildIdentities(db: Kysely<Database>, buildIds: readonly number[]): Promise<Map<number, BuildIdentityRow>> {
  if (!buildIds.length) return new Map();
  const rows = await db.selectFrom("builds").innerJoin("projects", "projects.id", "builds.project_id")
    .select(["builds.id as buildId", "builds.number as buildNumber", "builds.trigger_type as triggerType", "projects.id as projectId", "projects.name as project"])
    .where("builds.id", "in", [...new Set(buildIds)]).execute();
  return new Map(rows.map((r) => [r.buildId, { ...r, buildNumber: Number(r.buildNumber) }]));
}
