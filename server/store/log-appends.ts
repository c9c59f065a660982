// Console-log appends with group commit: appends of concurrent runs that
// arrive while a commit is in flight (on SQLite: in the same event-loop turn)
// share one transaction and one commit, and each caller is answered after
// that commit. Each append is still a compare-and-set on its run's committed
// length (runs.log_size), so the rows and the length never disagree. On
// MySQL the commits go over one connection kept for them (AppendConnection).
import type { Pool, PoolConnection, ResultSetHeader } from "mysql2/promise";
import { BatchedCalls } from "./coalesce.js";
import type { Store } from "./db.js";
import { isDuplicateKey } from "./duplicate-key.js";

interface ChunkAppend { runId: number; committed: number; data: Uint8Array }
type Outcome = { ok: boolean } | { error: unknown };

/** Appends per commit at most; on MySQL one INSERT carries at most INSERT_BYTES of data (max_allowed_packet is 16 MiB by default). */
const GROUP_MAX = 32;
const INSERT_BYTES = 4 << 20;

const groups = new WeakMap<Store, BatchedCalls<ChunkAppend, Outcome>>();
const mysqlConnections = new WeakMap<Store, AppendConnection>();

/**
 * Appends `data` at exactly `committed`: the chunk row plus the run's new
 * length, the length moved only if it still is `committed`, committed before
 * this resolves. Returns false when a concurrent append won the race (the
 * caller re-reads the length).
 */
export async function appendChunkAt(store: Store, runId: number, committed: number, data: Uint8Array): Promise<boolean> {
  let g = groups.get(store);
  // SQLite answers without yielding: gather the turn's appends; MySQL gathers while a commit is in flight.
  if (!g) groups.set(store, g = new BatchedCalls((reqs) => appendGroup(store, reqs), GROUP_MAX, !store.mysqlPool));
  const out = await g.call({ runId, committed, data });
  if ("error" in out) throw out.error;
  return out.ok;
}

/**
 * One transaction for the group; if it fails, each append on its own (one
 * after another: on MySQL they share a connection), so one bad append fails no other.
 */
async function appendGroup(store: Store, reqs: ChunkAppend[]): Promise<Outcome[]> {
  try {
    return (await commitGroup(store, reqs)).map((ok) => ({ ok }));
  } catch (e) {
    if (reqs.length === 1) return [outcome(e)];
    const outs: Outcome[] = [];
    for (const r of reqs) outs.push(await commitGroup(store, [r]).then(([ok]) => ({ ok: ok! }), outcome));
    return outs;
  }
}

/** A duplicate chunk is a race lost (the caller re-reads the length); anything else is the caller's error. */
function outcome(e: unknown): Outcome {
  return isDuplicateKey(e) ? { ok: false } : { error: e };
}

function commitGroup(store: Store, reqs: ChunkAppend[]): Promise<boolean[]> {
  if (store.mysqlPool) {
    let conn = mysqlConnections.get(store);
    if (!conn) mysqlConnections.set(store, conn = new AppendConnection(store.mysqlPool.promise()));
    return conn.commit(reqs);
  }
  return store.db.transaction().execute(async (trx) => {
    const won: boolean[] = [];
    for (const r of reqs) {
      const res = await trx.updateTable("runs").set({ log_size: r.committed + r.data.length })
        .where("id", "=", r.runId).where("log_size", "=", r.committed).executeTakeFirst();
      won.push(Number(res.numUpdatedRows) === 1);
    }
    const rows = reqs.filter((_, i) => won[i]).map((r) => ({ run_id: r.runId, start_offset: r.committed, end_offset: r.committed + r.data.length, data: r.data }));
    if (rows.length) await trx.insertInto("log_chunks").values(rows).execute();
    return won;
  });
}

/**
 * The same on MySQL/MariaDB over prepared statements: the chunks travel as
 * binary, where Kysely's text protocol would send them as hex (twice the
 * bytes, encoded here and parsed there; it was the server's top cost in the
 * ingest profile). One commit is in flight at a time (BatchedCalls), so one
 * connection, taken from the pool once and kept with autocommit off: a commit
 * is UPDATE, INSERT, COMMIT, without the pool acquisition and the START
 * TRANSACTION round trip (0.2 of 1.4 ms per 64 KiB append on this host). A
 * connection that failed (e.g. the server closed it) is dropped and the
 * group tried once more on a fresh one, which is safe: its transaction
 * either committed before the failure was reported, and the retry then
 * finds the lengths moved (a race lost, the caller re-reads), or it did not.
 */
class AppendConnection {
  private conn?: Promise<PoolConnection>;

  constructor(private readonly pool: Pool) {}

  async commit(reqs: ChunkAppend[]): Promise<boolean[]> {
    try {
      return await this.commitOn(await this.get(), reqs);
    } catch (e) {
      if (!isConnectionLost(e)) throw e;
      return this.commitOn(await this.get(), reqs);
    }
  }

  private get(): Promise<PoolConnection> {
    this.conn ??= this.pool.getConnection().then(async (c) => {
      try {
        await c.query("SET autocommit = 0");
        return c;
      } catch (e) {
        c.destroy();
        throw e;
      }
    });
    const conn = this.conn;
    conn.catch(() => { if (this.conn === conn) this.conn = undefined; });
    return conn;
  }

  private async commitOn(conn: PoolConnection, reqs: ChunkAppend[]): Promise<boolean[]> {
    try {
      const won: boolean[] = [];
      for (const r of reqs) {
        const [res] = await conn.execute<ResultSetHeader>("UPDATE runs SET log_size = ? WHERE id = ? AND log_size = ?", [r.committed + r.data.length, r.runId, r.committed]);
        won.push(res.affectedRows === 1);
      }
      await insertChunksMysql(conn, reqs.filter((_, i) => won[i]));
      await conn.query("COMMIT");
      return won;
    } catch (e) {
      // Rolled back, the connection serves the next commit; if not even that works, it is dropped.
      await conn.query("ROLLBACK").catch(() => {
        this.conn = undefined;
        conn.destroy();
      });
      throw e;
    }
  }
}

/** mysql2 marks errors after which the connection is unusable as fatal (closed by the server, network errors). */
function isConnectionLost(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { fatal?: unknown }).fatal === true;
}

/** Multi-row INSERTs of at most INSERT_BYTES of data each (a larger single chunk goes alone). */
async function insertChunksMysql(conn: PoolConnection, reqs: ChunkAppend[]): Promise<void> {
  for (let i = 0; i < reqs.length;) {
    let n = 1;
    let bytes = reqs[i]!.data.length;
    while (i + n < reqs.length && bytes + reqs[i + n]!.data.length <= INSERT_BYTES) bytes += reqs[i + n++]!.data.length;
    const part = reqs.slice(i, i + n);
    await conn.execute(`INSERT INTO log_chunks (run_id, start_offset, end_offset, data) VALUES ${part.map(() => "(?, ?, ?, ?)").join(", ")}`,
      part.flatMap((r) => [r.runId, r.committed, r.committed + r.data.length, Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength)]));
    i += n;
  }
}
