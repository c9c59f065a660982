// Repository functions for runs and run events, including the claim that
// hands a queued run to exactly one worker.
import type { Kysely } from "kysely";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { DialectCaps } from "./caps.js";
import { BatchedInserts, FreshReads } from "./coalesce.js";
import type { Database, NewRun, RunRow } from "./database.js";

/** Statuses in which a run occupies a slot of its worker. */
export const ACTIVE_STATUSES = [Status.RUNNING, Status.UPLOADING, Status.CANCELLING];

export async function insertRuns(db: Kysely<Database>, runs: readonly NewRun[]): Promise<void> {
  if (runs.length) await db.insertInto("runs").values([...runs]).execute();
}

export function findRunById(db: Kysely<Database>, id: number): Promise<RunRow | undefined> {
  return db.selectFrom("runs").selectAll().where("id", "=", id).executeTakeFirst();
}

export function findRunByName(db: Kysely<Database>, buildId: number, name: string): Promise<RunRow | undefined> {
  return db.selectFrom("runs").selectAll().where("build_id", "=", buildId).where("name", "=", name).executeTakeFirst();
}

export function listRunsOfBuilds(db: Kysely<Database>, buildIds: readonly number[]): Promise<RunRow[]> {
  if (!buildIds.length) return Promise.resolve([]);
  return db.selectFrom("runs").selectAll().where("build_id", "in", [...buildIds]).orderBy("id").execute();
}

type NewRunEvent = { run_id: number; status: Status; worker_name: string | null; message: string; time: number };

// Outside transactions, events recorded at the same time share one multi-row insert.
const eventWriters = new WeakMap<Kysely<Database>, BatchedInserts<NewRunEvent>>();

function eventWriter(db: Kysely<Database>): BatchedInserts<NewRunEvent> {
  let w = eventWriters.get(db);
  if (!w) eventWriters.set(db, w = new BatchedInserts((rows) => db.insertInto("run_events").values(rows).execute().then(() => undefined)));
  return w;
}

/** Resolves once the event is committed (or, inside a transaction, written in it). */
export async function insertRunEvent(db: Kysely<Database>, runId: number, status: Status, worker: string | null, message: string, time: number): Promise<void> {
  const row = { run_id: runId, status, worker_name: worker, message, time };
  if (db.isTransaction) await db.insertInto("run_events").values(row).execute();
  else await eventWriter(db).add(row);
}

/**
 * Moves a run from one of `from` to `to` if it is still in one of them:
 * compare-and-set, so of two racing writers exactly one wins. Returns whether
 * this call made the change.
 */
export async function transitionRun(
  db: Kysely<Database>, id: number, from: readonly Status[], to: Status,
  set: { message?: string; now: number; worker?: string | null; acked?: number; tokenHash?: string | null },
): Promise<boolean> {
  const complete = to === Status.PASSED || to === Status.FAILED;
  const res = await db.updateTable("runs")
    .set({
      status: to,
      ...(set.message !== undefined ? { status_message: set.message } : {}),
      ...(set.worker !== undefined ? { worker_name: set.worker } : {}),
      ...(set.acked !== undefined ? { acked: set.acked } : {}),
      ...(set.tokenHash !== undefined ? { token_hash: set.tokenHash } : {}),
      ...(to === Status.RUNNING && set.worker ? { started_at: set.now } : {}),
      ...(complete ? { completed_at: set.now } : {}),
    })
    .where("id", "=", id).where("status", "in", [...from])
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Queued runs, most important first, that a claimer may look at now. */
export async function queuedCandidates(db: Kysely<Database>, caps: DialectCaps, limit: number): Promise<{ id: number; host_tag: string; build_id: number }[]> {
  return db.selectFrom("runs").select(["id", "host_tag", "build_id"])
    .where("status", "=", Status.QUEUED)
    .orderBy("queue_rank").orderBy("id")
    .limit(limit)
    // MariaDB/MySQL: skip rows another instance is claiming instead of waiting for them.
    .$if(caps.skipLocked, (qb) => qb.forUpdate().skipLocked())
    .execute();
}

export async function insertRunEvents(db: Kysely<Database>, events: NewRunEvent[]): Promise<void> {
  if (db.isTransaction) { if (events.length) await db.insertInto("run_events").values(events).execute(); return; }
  await Promise.all(events.map((e) => eventWriter(db).add(e)));
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
    .where("worker_name", "in", [...new Set(workers)]).where("status", "in", ACTIVE_STATUSES).groupBy("worker_name").execute();
  return new Map(rows.map((r) => [r.worker_name!, Number(r.n)]));
}

/** The distinct statuses of a build's runs (all the roll-up needs), from the (build_id, status) index. */
export async function runStatusesOfBuild(db: Kysely<Database>, buildId: number): Promise<Status[]> {
  const rows = await db.selectFrom("runs").select("status").where("build_id", "=", buildId).groupBy("status").execute();
  return rows.map((r) => r.status as Status);
}

/** A build's status and the distinct statuses of its runs, in one round trip (undefined: no such build). */
export interface RollupState { buildStatus: Status; runStatuses: Status[] }

const rollupReads = new WeakMap<Kysely<Database>, FreshReads<number, RollupState | undefined>>();

/** Concurrent callers for one build share a read that started after each of them asked. */
export function buildRollupState(db: Kysely<Database>, buildId: number): Promise<RollupState | undefined> {
  if (db.isTransaction) return readRollupState(db, buildId);
  let r = rollupReads.get(db);
  if (!r) rollupReads.set(db, r = new FreshReads());
  return r.read(buildId, () => readRollupState(db, buildId));
}

async function readRollupState(db: Kysely<Database>, buildId: number): Promise<RollupState | undefined> {
  const rows = await db.selectFrom("builds").leftJoin("runs", "runs.build_id", "builds.id")
    .select(["builds.status as build_status", "runs.status as run_status"])
    .where("builds.id", "=", buildId).groupBy(["builds.status", "runs.status"]).execute();
  if (!rows.length) return undefined;
  return { buildStatus: rows[0]!.build_status as Status, runStatuses: rows.flatMap((r) => r.run_status === null ? [] : [r.run_status as Status]) };
}

