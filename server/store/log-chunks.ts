// Repository functions for console-log bytes: chunks keyed by (run, start
// offset), with the committed length kept on the run row. Once a completed
// log moved to artifact storage, one marker row (`archived` = 1, no data)
// stands for the bytes it covers. Appends are in log-appends.ts.
import type { Kysely } from "kysely";
import type { Database } from "./database.js";

/** `archived`: a marker; bytes [start, end) are in artifact storage and `data` is empty. */
export interface StoredChunk { start: number; end: number; data: Uint8Array; archived: boolean }

/** Chunks that hold bytes at or after `from`, in order, at most `limit`. */
export async function readChunks(db: Kysely<Database>, runId: number, from: number, limit = 64): Promise<StoredChunk[]> {
  const rows = await db.selectFrom("log_chunks").select(["start_offset", "end_offset", "data", "archived"])
    .where("run_id", "=", runId).where("end_offset", ">", from)
    .orderBy("start_offset").limit(limit).execute();
  return rows.map((r) => ({ start: Number(r.start_offset), end: Number(r.end_offset), data: new Uint8Array(r.data), archived: Number(r.archived) === 1 }));
}

/**
 * Completed runs (completed at or before `completedBefore`) whose log is
 * still in the store and not yet moved, at most `limit`, oldest run first.
 */
export async function runsWithStoredLogs(db: Kysely<Database>, completedBefore: number, limit: number): Promise<number[]> {
  const rows = await db.selectFrom("log_chunks as c").innerJoin("runs", "runs.id", "c.run_id")
    .select("c.run_id").distinct()
    .where("c.archived", "=", 0).where("runs.completed_at", "is not", null).where("runs.completed_at", "<=", completedBefore)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom("log_chunks as m").select("m.run_id")
      .whereRef("m.run_id", "=", "c.run_id").where("m.archived", "=", 1))))
    .orderBy("c.run_id").limit(limit).execute();
  return rows.map((r) => Number(r.run_id));
}

/**
 * Replaces the rows of run `runId` that end at or before `end` by one marker
 * row [0, end), in one transaction, if they still are the `rows` rows the
 * caller copied and the run is still the one completed at `completedAt`
 * (a rerun or another mover changes either). Returns false otherwise,
 * changing nothing. Rows after `end` (appended later) stay.
 */
export async function replaceWithMarker(db: Kysely<Database>, runId: number, end: number, rows: number, completedAt: number): Promise<boolean> {
  try {
    return await db.transaction().execute(async (trx) => {
      const run = await trx.selectFrom("runs").select(["completed_at", "log_size"]).where("id", "=", runId).executeTakeFirst();
      if (!run || Number(run.completed_at) !== completedAt || Number(run.log_size) < end) throw new Changed();
      const gone = await trx.deleteFrom("log_chunks").where("run_id", "=", runId).where("end_offset", "<=", end).executeTakeFirst();
      if (Number(gone.numDeletedRows) !== rows) throw new Changed();
      await trx.insertInto("log_chunks").values({ run_id: runId, start_offset: 0, end_offset: end, data: new Uint8Array(0), archived: 1 }).execute();
      return true;
    });
  } catch (e) {
    if (e instanceof Changed) return false;
    throw e;
  }
}

/** Rolls a replaceWithMarker transaction back: the rows changed since they were copied. */
class Changed extends Error {}

export async function logSize(db: Kysely<Database>, runId: number): Promise<number | undefined> {
  const row = await db.selectFrom("runs").select("log_size").where("id", "=", runId).executeTakeFirst();
  return row ? Number(row.log_size) : undefined;
}
