// Prepared statements on MariaDB for the store's fixed-text hot reads (those
// compiled once: compiled-once.ts). Kysely's MysqlDialect sends every query as
// text, which MariaDB parses afresh each time: GetBuild's one-statement read
// cost mariadbd 265 us as text and 155-170 us prepared (the binary protocol:
// parsed once per connection, values bound); under the API bench's load its
// mariadbd CPU per call went from 372-381 to 285 us. Only SQL registered here
// is prepared, so the server-side statements stay few: one per registered
// text per pooled connection, kept here by the query's own string (a cheap
// key; mysql2's execute() would look its cache up by a new string each call
// and queue a prepare command before every execute, which cost the server
// more than MariaDB saved). A new connection prepares afresh. Every other
// query keeps the text protocol. Whole-number values are bound as BIGINT,
// not as mysql2's default DOUBLE, so a comparison with an integer column is
// the integer comparison the text form made.
import mysql, { type Pool, type PoolConnection } from "mysql2";

const registered = new Set<string>();

/** `sql` (text that never depends on the values) is executed as a prepared statement on MariaDB from now on. */
export function prepareOnMysql(sql: string): void {
  registered.add(sql);
}

type Callback = (err: unknown, result?: unknown) => void;

// Read once: the property is a getter that loads the module on each read.
const { LONGLONG } = mysql.TypedParameter;
const bound = (v: unknown): unknown => (typeof v === "number" && Number.isSafeInteger(v) ? LONGLONG(v) : v);

interface Statement { execute(values: unknown[], cb: Callback): unknown }

/** Each connection's prepared statements (or their preparation under way) by SQL text. */
const prepared = new WeakMap<PoolConnection, Map<string, Statement | Promise<Statement>>>();

/**
 * Routes each connection's `query` of registered SQL (Kysely's call shape: sql,
 * values, callback) to its prepared statement: prepared on first use, then
 * executed directly (one command, not mysql2's prepare-from-cache then execute).
 */
function preparing(conn: PoolConnection): PoolConnection {
  if (prepared.has(conn)) return conn;
  const statements = new Map<string, Statement | Promise<Statement>>();
  prepared.set(conn, statements);
  const query = conn.query.bind(conn) as (...a: unknown[]) => unknown;
  const prepare = (sql: string) => new Promise<Statement>((resolve, reject) =>
    conn.prepare(sql, (err, stmt) => (err ? reject(err) : resolve(stmt as unknown as Statement))));
  (conn as unknown as { query: (...a: unknown[]) => unknown }).query = (sql: unknown, values: unknown, cb: unknown) => {
    if (typeof sql === "string" && typeof cb === "function" && Array.isArray(values) && registered.has(sql)) {
      const args = values.map(bound);
      const hit = statements.get(sql);
      if (hit && !(hit instanceof Promise)) return hit.execute(args, cb as Callback);
      const pending = hit ?? prepare(sql);
      if (!hit) {
        statements.set(sql, pending);
        pending.then((stmt) => statements.set(sql, stmt), () => statements.delete(sql));
      }
      pending.then((stmt) => stmt.execute(args, cb as Callback), (err: unknown) => (cb as Callback)(err));
      return undefined;
    }
    return cb === undefined ? (values === undefined ? query(sql) : query(sql, values)) : query(sql, values, cb);
  };
  return conn;
}

/** The pool Kysely's MysqlDialect is given: `pool`, whose connections execute registered SQL prepared. */
export function preparingPool(pool: Pool): Pick<Pool, "getConnection" | "end"> {
  return {
    getConnection: (cb: (err: NodeJS.ErrnoException | null, conn: PoolConnection) => void) =>
      pool.getConnection((err, conn) => cb(err, err ? conn : preparing(conn))),
    end: (cb?: (err: NodeJS.ErrnoException | null) => void) => pool.end(cb),
  } as Pick<Pool, "getConnection" | "end">;
}
