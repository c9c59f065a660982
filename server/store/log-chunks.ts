// Repository functions for console-log bytes: chunks keyed by (run, start
// offset), with the committed length kept on the run row.
import type { Kysely } from "kysely";
import type { Database } from "./database.js";

export interface StoredChunk { start: number; data: Uint8Array }

/**
 * Appends `data` at exactly `committed` in one transaction: chunk row plus
 * the run's new length, the length moved only if it still is `committed`.
 * Returns false when a concurrent append won the race (the caller re-reads).
 */
export async function appendChunkAt(db: Kysely<Database>, runId: number, committed: number, data: Uint8Array): Promise<boolean> {
  try {
    return await db.transaction().execute(async (trx) => {
      const res = await trx.updateTable("runs").set({ log_size: committed + data.length })
        .where("id", "=", runId).where("log_size", "=", committed).executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return false;
      await trx.insertInto("log_chunks")
        .values({ run_id: runId, start_offset: committed, end_offset: committed + data.length, data }).execute();
      return true;
    });
  } catch (e) {
    if (isDuplicateKey(e)) return false;
    throw e;
  }
}

/** Chunks that hold bytes at or after `from`, in order, at most `limit`. */
export async function readChunks(db: Kysely<Database>, runId: number, from: number, limit = 64): Promise<StoredChunk[]> {
  const rows = await db.selectFrom("log_chunks").select(["start_offset", "data"])
    .where("run_id", "=", runId).where("end_offset", ">", from)
    .orderBy("start_offset").limit(limit).execute();
  return rows.map((r) => ({ start: Number(r.start_offset), data: new Uint8Array(r.data) }));
}

export async function logSize(db: Kysely<Database>, runId: number): Promise<number | undefined> {
  const row = await db.selectFrom("runs").select("log_size").where("id", "=", runId).executeTakeFirst();
  return row ? Number(row.log_size) : undefined;
}

function isDuplicateKey(e: unknown): boolean {
  const code = (e as { code?: string }).code ?? "";
  return code === "ER_DUP_ENTRY" || code.startsWith("SQLITE_CONSTRAINT");
}
