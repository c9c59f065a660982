// Prepared statements reused on the embedded store: Kysely's SqliteDialect
// prepares every query afresh, and better-sqlite3's prepare (parsing and
// planning the SQL) was the largest single cost of SQLite queries in the
// server's CPU profile. Statements are cached by SQL text (least recently
// used out beyond `max`); one that is mid-iteration (a streamed query) is
// never handed out twice: a fresh one is prepared instead.
import type BetterSqlite3 from "better-sqlite3";
import type { SqliteDatabase, SqliteStatement } from "kysely";

export function withStatementCache(db: BetterSqlite3.Database, max = 500): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => db.close(),
    prepare(sql: string): SqliteStatement {
      const hit = cache.get(sql);
      if (hit && !hit.busy) {
        cache.delete(sql); // re-insert: most recently used last
        cache.set(sql, hit);
        return hit as unknown as SqliteStatement;
      }
      const stmt = db.prepare(sql);
      if (!hit) {
        cache.set(sql, stmt);
        if (cache.size > max) cache.delete(cache.keys().next().value!);
      }
      return stmt as unknown as SqliteStatement;
    },
  };
}
