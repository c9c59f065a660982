// Repository functions for run status-event rows (run_events): the history of
// a run and, read by id, the bus that carries status changes to the watch
// streams of every instance. Each insert reports the ids of its rows.
import type { Kysely } from "kysely";
import type { Status } from "../../gen/jobserv/v1/status_pb.js";
import { insertedIds, type DialectCaps } from "./caps.js";
import { BatchedInserts } from "./coalesce.js";
import { compiledOnce } from "./compiled-once.js";
import type { Database } from "./database.js";
import type { Store } from "./db.js";

export interface NewRunEvent { run_id: number; status: Status; worker_name: string | null; message: string; time: number }

/** One multi-row insert on `db` (a transaction, or the pool); the rows' ids in order. */
export async function insertRunEventRows(db: Kysely<Database>, caps: DialectCaps, rows: readonly NewRunEvent[]): Promise<number[]> {
  if (!rows.length) return [];
  // One row (the usual case on SQLite, where a batch is one event-loop turn) takes the statement built once.
  const res = rows.length === 1 ? await oneRow.execute(db, rows[0]!) : await db.insertInto("run_events").values([...rows]).executeTakeFirstOrThrow();
  return insertedIds(caps, res.insertId, rows.length);
}

const oneRow = compiledOnce((db, a: Pick<NewRunEvent, keyof NewRunEvent>) => db.insertInto("run_events")
  .values({ run_id: a.run_id, status: a.status, worker_name: a.worker_name, message: a.message, time: a.time }));

// Events recorded at the same time by many callers share one multi-row insert.
const writers = new WeakMap<Kysely<Database>, BatchedInserts<NewRunEvent>>();

/** Records events outside any transaction; resolves with their ids once committed. */
export function recordRunEvents(store: Store, rows: readonly NewRunEvent[]): Promise<number[]> {
  let w = writers.get(store.db);
  if (!w) writers.set(store.db, w = new BatchedInserts((batch) => insertRunEventRows(store.db, store.caps, batch)));
  return Promise.all(rows.map((r) => w.add(r)));
}
