// Repository functions that read runs (and insert new ones): by id or name,
// a build's runs, the queue's host tags, workers' busy slots and the build
// roll-up's input. Status changes are in run-transitions.ts.
import type { Kysely } from "kysely";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { FreshReads } from "./coalesce.js";
import { compiledOnce } from "./compiled-once.js";
import type { Database, NewRun, RunRow, WorkerRunRow } from "./database.js";

/** Statuses in which a run occupies a slot of its worker (unless its worker is done and tests from outside keep it RUNNING: `worker_done`). */
export const ACTIVE_STATUSES = [Status.RUNNING, Status.UPLOADING, Status.CANCELLING];

export async function insertRuns(db: Kysely<Database>, runs: readonly NewRun[]): Promise<void> {
  if (runs.length) await db.insertInto("runs").values([...runs]).execute();
}

const runById = compiledOnce((db, a: { id: number }) => db.selectFrom("runs").selectAll().where("id", "=", a.id));
const runByName = compiledOnce((db, a: { buildId: number; name: string }) =>
  db.selectFrom("runs").selectAll().where("build_id", "=", a.buildId).where("name", "=", a.name));

export function findRunById(db: Kysely<Database>, id: number): Promise<RunRow | undefined> {
  return runById.first(db, { id });
}

const WORKER_RUN_COLUMNS = ["id", "build_id", "name", "status", "status_message", "host_tag", "queue_priority", "worker_name", "token_hash", "acked",
  "trigger_type", "queue_rank", "run_triggers", "log_size", "worker_done", "image_digest", "created_at", "started_at", "completed_at"] as const satisfies readonly (keyof WorkerRunRow)[];

const workerRunById = compiledOnce((db, a: { id: number }) => db.selectFrom("runs").select(WORKER_RUN_COLUMNS).where("id", "=", a.id));

/** Every column but the definition and secrets: read on each of a worker's calls (a log chunk, a status), which never need those. */
export function findWorkerRun(db: Kysely<Database>, id: number): Promise<WorkerRunRow | undefined> {
  return workerRunById.first(db, { id });
}

export function findRunByName(db: Kysely<Database>, buildId: number, name: string): Promise<RunRow | undefined> {
  return runByName.first(db, { buildId, name });
}

export function listRunsOfBuilds(db: Kysely<Database>, buildIds: readonly number[]): Promise<RunRow[]> {
  if (!buildIds.length) return Promise.resolve([]);
  return db.selectFrom("runs").selectAll().where("build_id", "in", [...buildIds]).orderBy("id").execute();
}

/** A build's runs in creation order with ids above `afterId`, at most `limit`. */
export function listRunsPage(db: Kysely<Database>, buildId: number, afterId: number, limit: number): Promise<RunRow[]> {
  return db.selectFrom("runs").selectAll().where("build_id", "=", buildId).where("id", ">", afterId).orderBy("id").limit(limit).execute();
}

export function runsByIds(db: Kysely<Database>, ids: readonly number[]): Promise<RunRow[]> {
  if (!ids.length) return Promise.resolve([]);
  return db.selectFrom("runs").selectAll().where("id", "in", [...new Set(ids)]).orderBy("id").execute();
}

/** Names of a build's runs, all of them or those of `names` it has. */
export async function runNamesOfBuild(db: Kysely<Database>, buildId: number, names?: readonly string[]): Promise<string[]> {
  if (names && !names.length) return [];
  const rows = await db.selectFrom("runs").select("name").where("build_id", "=", buildId)
    .$if(names !== undefined, (qb) => qb.where("name", "in", [...names!])).orderBy("id").execute();
  return rows.map((r) => r.name);
}

/** Names and run definitions of a build's runs, all of them or those named `names`. */
export function runDefinitionsOfBuild(db: Kysely<Database>, buildId: number, names?: readonly string[]): Promise<{ id: number; name: string; definition_json: string }[]> {
  if (names && !names.length) return Promise.resolve([]);
  return db.selectFrom("runs").select(["id", "name", "definition_json"]).where("build_id", "=", buildId)
    .$if(names !== undefined, (qb) => qb.where("name", "in", [...names!])).orderBy("id").execute();
}

/** The secrets copy of a build's first run (what build-level chained runs inherit), "" when none. */
export async function firstRunSecrets(db: Kysely<Database>, buildId: number): Promise<string> {
  const row = await db.selectFrom("runs").select("secrets_enc").where("build_id", "=", buildId).orderBy("id").executeTakeFirst();
  return row?.secrets_enc ?? "";
}

/** Runs being cancelled, with their workers (few: found by the status index). */
export function cancellingRuns(db: Kysely<Database>): Promise<{ id: number; worker_name: string | null }[]> {
  return db.selectFrom("runs").select(["id", "worker_name"]).where("status", "=", Status.CANCELLING).execute();
}

/** Host-tag patterns of the queued runs (few distinct values; from the queue index). */
export async function queuedHostTags(db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom("runs").select("host_tag").where("status", "=", Status.QUEUED).groupBy("host_tag").execute();
  return rows.map((r) => r.host_tag);
}

/** How many runs occupy a slot of each of `workers`. */
export async function activeRunsByWorker(db: Kysely<Database>, workers: readonly string[]): Promise<Map<string, number>> {
  if (!workers.length) return new Map();
  const rows = await db.selectFrom("runs").select(["worker_name", (eb) => eb.fn.countAll<number>().as("n")])
    .where("worker_name", "in", [...new Set(workers)]).where("status", "in", ACTIVE_STATUSES).where("worker_done", "=", 0).groupBy("worker_name").execute();
  return new Map(rows.map((r) => [r.worker_name!, Number(r.n)]));
}

/** A build's status and the distinct statuses of its runs, in one round trip (undefined: no such build). */
export interface RollupState { buildStatus: Status; runStatuses: Status[] }

const rollupReads = new WeakMap<Kysely<Database>, FreshReads<number, RollupState | undefined>>();

/**
 * Concurrent callers for one build share a read that started after each of
 * them asked; the read waits for the rest of the event-loop turn, so the ends
 * of many runs of a build handled together cost one read.
 */
export function buildRollupState(db: Kysely<Database>, buildId: number): Promise<RollupState | undefined> {
  if (db.isTransaction) return readRollupState(db, buildId);
  let r = rollupReads.get(db);
  if (!r) rollupReads.set(db, r = new FreshReads(true));
  return r.read(buildId, () => readRollupState(db, buildId));
}

async function readRollupState(db: Kysely<Database>, buildId: number): Promise<RollupState | undefined> {
  const rows = await db.selectFrom("builds").leftJoin("runs", "runs.build_id", "builds.id")
    .select(["builds.status as build_status", "runs.status as run_status"])
    .where("builds.id", "=", buildId).groupBy(["builds.status", "runs.status"]).execute();
  if (!rows.length) return undefined;
  return { buildStatus: rows[0]!.build_status as Status, runStatuses: rows.flatMap((r) => r.run_status === null ? [] : [r.run_status as Status]) };
}

/** The image digest the run's worker resolved (not a status: the lifecycle is not involved). */
export async function setRunImageDigest(db: Kysely<Database>, id: number, digest: string): Promise<void> {
  await db.updateTable("runs").set({ image_digest: digest }).where("id", "=", id).execute();
}
