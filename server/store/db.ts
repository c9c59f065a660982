// Opens the store from one URL setting: `sqlite:<file>` (the embedded default,
// `sqlite::memory:` for a throwaway) or `mysql://user:pass@host:3306/db`
// (MySQL 8 / MariaDB >= 10.6). Returns the Kysely handle, the dialect's
// capabilities and a close function; migrations run before it returns unless
// the caller applies them itself (see migrate.ts).
import BetterSqlite3 from "better-sqlite3";
import { Kysely, MysqlDialect, SqliteDialect } from "kysely";
import { createPool, type Pool } from "mysql2";
import { capsFor, type DialectCaps } from "./caps.js";
import type { Database } from "./database.js";
import { applyMigrations } from "./migrate.js";
import { startCheckpointer } from "./sqlite-checkpointer.js";
import { preparingPool } from "./mysql-statements.js";
import { withStatementCache } from "./sqlite-statements.js";
import type { Logger } from "../logger.js";
import { reportingConnectionErrors, reportingQueryErrors, type StoreErrorListener } from "./store-errors.js";

export interface Store {
  readonly db: Kysely<Database>;
  readonly caps: DialectCaps;
  /** MySQL/MariaDB only: the pool under `db`, for statements that must use the binary protocol (blobs; see log-chunks.ts). */
  readonly mysqlPool?: Pool;
  close(): Promise<void>;
}

/**
 * `log` receives connection set-up failures (default: stderr); `onError`
 * every failed statement or connection (metrics). With `migrate: false`
 * nothing is asked of the database yet (a MySQL pool connects on first use),
 * so the caller can wait for it first.
 */
export async function openStore(url: string, log: Pick<Logger, "error"> = { error: (o: unknown, msg?: string) => console.error(msg, o) } as Pick<Logger, "error">,
  opts: { migrate?: boolean; onError?: StoreErrorListener } = {}): Promise<Store> {
  const onError = opts.onError ?? (() => {});
  const store = url.startsWith("mysql://") ? openMysql(url, log, onError) : openSqlite(url, onError);
  if (opts.migrate !== false) await applyMigrations(store.db);
  return store;
}

function openSqlite(url: string, onError: StoreErrorListener): Store {
  const file = url.replace(/^sqlite:/, "") || ":memory:";
  const database = new BetterSqlite3(file);
  database.pragma("journal_mode = WAL");
  // NORMAL (better-sqlite3's default in WAL mode, stated here): a commit is
  // in the WAL when it returns, so a process crash loses nothing committed,
  // and the WAL is synced at each checkpoint. FULL would also sync it at
  // every commit, on the event loop (better-sqlite3 is synchronous): every
  // request would wait for the disk at every write of any request.
  database.pragma("synchronous = NORMAL");
  // Several processes may share the file (tests, `jobserv dev`): wait for locks.
  database.pragma("busy_timeout = 5000");
  database.pragma("foreign_keys = ON");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }), log: reportingQueryErrors(onError) });
  // A file in WAL mode (not :memory:): checkpoints leave the event loop.
  const checkpointer = database.memory ? undefined : startCheckpointer(database, file, onError);
  return {
    db, caps: capsFor("sqlite"),
    close: async () => {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}

function openMysql(url: string, log: Pick<Logger, "error">, onError: StoreErrorListener): Store {
  const pool = createPool({
    uri: url,
    connectionLimit: 20,
    // Times are bigint milliseconds: far below 2^53, safe as JS numbers.
    supportBigNumbers: true,
    bigNumberStrings: false,
    enableKeepAlive: true,
  });
  // caps.readCommittedSessions: no code relies on REPEATABLE READ (writes are
  // compare-and-sets or locking), and the claim needs READ COMMITTED. Commands
  // on one connection run in order, so this precedes the connection's first use.
  pool.on("connection", (conn) => {
    conn.query("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", (e) => { if (e) log.error({ err: e.message }, "store session set-up failed"); });
  });
  const db = new Kysely<Database>({ dialect: reportingConnectionErrors(new MysqlDialect({ pool: preparingPool(pool) as Pool }), onError), log: reportingQueryErrors(onError) });
  return { db, caps: capsFor("mysql"), mysqlPool: pool, close: () => db.destroy() };
}

/** Resolves when the store answers a trivial query (readiness and health probes); rejects otherwise. */
export async function pingStore(store: Store): Promise<void> {
  await store.db.selectFrom("projects").select("id").limit(1).execute();
}
