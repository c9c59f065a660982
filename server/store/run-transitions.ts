// Repository functions that change a run's status, each a compare-and-set
// (of two racing writers exactly one wins, on any number of instances), plus
// the inserts that create QUEUED runs with their first status events. Only
// the run lifecycle (builds/lifecycle*.ts) calls these.
import { sql, type Expression, type Kysely, type SqlBool, type Transaction } from "kysely";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { Database, NewRun } from "./database.js";
import type { Store } from "./db.js";
import { insertedIds, type DialectCaps } from "./caps.js";
import { compiledOnce } from "./compiled-once.js";
import { insertRunEventRows } from "./run-events.js";
import { ACTIVE_STATUSES } from "./runs.js";

/**
 * Moves a run from one of `from` to `to` if it is still in one of them.
 * Returns whether this call made the change. `unless`: a condition on the
 * row that, when true, leaves it alone (checked in the same statement).
 */
export async function transitionRun(
  db: Kysely<Database>, id: number, from: readonly Status[], to: Status,
  set: { message?: string; now: number; worker?: string | null; acked?: number; tokenHash?: string | null },
  unless?: Expression<SqlBool>,
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
    .$if(unless !== undefined, (qb) => qb.where(({ not }) => not(unless!)))
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** True for a row of `runs` (the outer table) that has tests (reported by its worker or driven from outside). */
const hasTests = sql<SqlBool>`exists (select 1 from tests where tests.run_id = runs.id)`;

/**
 * An active run that has no tests -> `to` (PASSED/FAILED), checked in the one
 * statement. False when it has tests (their verdict decides: see testVerdict)
 * or had moved on.
 */
export async function completeRunWithoutTests(db: Kysely<Database>, id: number, to: Status, set: { message: string; now: number }): Promise<boolean> {
  const res = await completeWithoutTests.execute(db, { id, to, message: set.message, now: set.now });
  return Number(res.numAffectedRows) === 1;
}

/** transitionRun(db, id, ACTIVE_STATUSES, to, set, hasTests), built once: each run's end is one (compiledOnce). */
const completeWithoutTests = compiledOnce((db, a: { id: number; to: Status; message: string; now: number }) => db.updateTable("runs")
  .set({ status: a.to, status_message: a.message, completed_at: a.now })
  .where("id", "=", a.id).where("status", "in", ACTIVE_STATUSES).where(({ not }) => not(hasTests)));

/** The worker confirmed it started the run (no status change). */
export async function acknowledgeRun(db: Kysely<Database>, id: number): Promise<void> {
  await db.updateTable("runs").set({ acked: 1 }).where("id", "=", id).where("acked", "=", 0).execute();
}

/** RUNNING, unacknowledged and held by `worker` -> QUEUED (worker, token and start cleared). */
export async function requeueUnackedRun(db: Kysely<Database>, id: number, worker: string): Promise<boolean> {
  const res = await db.updateTable("runs")
    .set({ status: Status.QUEUED, worker_name: null, token_hash: null, started_at: null })
    .where("id", "=", id).where("status", "=", Status.RUNNING).where("acked", "=", 0).where("worker_name", "=", worker)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** An active run still held by `worker` -> FAILED with `message`. */
export async function failRunOfWorker(db: Kysely<Database>, id: number, worker: string, message: string, now: number): Promise<boolean> {
  const res = await db.updateTable("runs").set({ status: Status.FAILED, status_message: message, completed_at: now })
    .where("id", "=", id).where("status", "in", ACTIVE_STATUSES).where("worker_name", "=", worker)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/**
 * A complete run (still `from`) back to QUEUED as if new: worker, token, times
 * and log length cleared, its tests, artifact rows and log chunks deleted and
 * the QUEUED event recorded, in one transaction. The event's id, or undefined
 * when another writer changed the run first.
 */
export async function resetRunForRerun(store: Store, id: number, from: Status, message: string, now: number): Promise<number | undefined> {
  return store.db.transaction().execute(async (trx) => {
    const res = await trx.updateTable("runs")
      .set({ status: Status.QUEUED, status_message: message, worker_name: null, token_hash: null, acked: 0, log_size: 0, worker_done: 0, started_at: null, completed_at: null })
      .where("id", "=", id).where("status", "=", from).executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return undefined;
    await trx.deleteFrom("test_results").where("test_id", "in", trx.selectFrom("tests").select("id").where("run_id", "=", id)).execute();
    await trx.deleteFrom("tests").where("run_id", "=", id).execute();
    await trx.deleteFrom("artifacts").where("run_id", "=", id).execute();
    await trx.deleteFrom("log_chunks").where("run_id", "=", id).execute();
    const [eventId] = await insertRunEventRows(trx, store.caps, [{ run_id: id, status: Status.QUEUED, worker_name: null, message, time: now }]);
    return eventId;
  });
}

/** A QUEUED run just inserted: its id, name and the id of its QUEUED event. */
export interface QueuedRun { id: number; name: string; eventId: number }

/**
 * Inserts QUEUED runs of one build and their QUEUED events inside `trx`
 * (events last: the shortest id-to-commit gap). The runs' ids follow from the
 * one multi-row insert's (see insertedIds), so they are not read back.
 */
export async function insertQueuedRunsIn(trx: Transaction<Database>, caps: DialectCaps, buildId: number, rows: readonly NewRun[], now: number): Promise<QueuedRun[]> {
  if (!rows.length) return [];
  if (rows.some((r) => r.build_id !== buildId)) throw new Error(`insertQueuedRunsIn: runs of another build than ${buildId}`);
  const res = await trx.insertInto("runs").values([...rows]).executeTakeFirstOrThrow();
  const ids = insertedIds(caps, res.insertId, rows.length);
  const added = rows.map((r, i) => ({ id: ids[i]!, name: r.name }));
  const eventIds = await insertRunEventRows(trx, caps, added.map((r) => ({ run_id: r.id, status: Status.QUEUED, worker_name: null, message: "", time: now })));
  return added.map((r, i) => ({ id: r.id, name: r.name, eventId: eventIds[i]! }));
}

/** Adds QUEUED runs to an existing build (chained triggers). A run name the build has already throws the store's duplicate-key error. */
export function insertQueuedRuns(store: Store, buildId: number, rows: readonly NewRun[], now: number): Promise<QueuedRun[]> {
  return store.db.transaction().execute((trx) => insertQueuedRunsIn(trx, store.caps, buildId, rows, now));
}


/**
 * The worker reported its end (`verdict`: PASSED/FAILED) while tests driven
 * from outside are still open: the run stays RUNNING, no longer held against
 * its worker's slots or lease. False when the run had moved on.
 */
export async function markWorkerDone(db: Kysely<Database>, id: number, verdict: Status, message: string): Promise<boolean> {
  const res = await db.updateTable("runs").set({ worker_done: verdict, status_message: message })
    .where("id", "=", id).where("status", "in", ACTIVE_STATUSES).where("worker_done", "=", 0).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** A run whose worker is done and whose tests are open -> `to` (PASSED/FAILED: its tests finished, or it was cancelled). */
export async function completeWorkerDoneRun(db: Kysely<Database>, id: number, to: Status, message: string, now: number): Promise<boolean> {
  const res = await db.updateTable("runs").set({ status: to, status_message: message, completed_at: now })
    .where("id", "=", id).where("status", "in", ACTIVE_STATUSES).where("worker_done", "!=", 0).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}
