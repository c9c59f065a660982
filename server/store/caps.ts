// What differs between the two SQL dialects, in one place (the only file that
// knows). Repository code asks for a capability instead of testing a dialect.
export type DialectName = "sqlite" | "mysql";

export interface DialectCaps {
  readonly dialect: DialectName;
  /** `SELECT ... FOR UPDATE` exists (SQLite serialises writers instead: it is a syntax error there). */
  readonly rowLocks: boolean;
  /** `FOR UPDATE SKIP LOCKED` exists (MySQL 8, MariaDB >= 10.6). */
  readonly skipLocked: boolean;
  /**
   * Every pooled session is set to READ COMMITTED when it connects (db.ts), so
   * a transaction that needs it (the claim) does not spend a round trip asking.
   */
  readonly readCommittedSessions: boolean;
  /**
   * Which row's id a multi-row INSERT reports: MySQL/MariaDB the first
   * (LAST_INSERT_ID()), SQLite the last (last_insert_rowid()). Either way the
   * statement's rows get consecutive ids (SQLite has one writer; InnoDB
   * reserves a "simple insert"'s ids at once), so every row's id follows.
   */
  readonly multiRowInsertId: "first" | "last";
  /**
   * A join with bound parameters costs more than scalar subqueries for the
   * same rows: on SQLite 3.54 (better-sqlite3) a build read by project name
   * took 17-28 us joined and 3-5 us by subqueries; MariaDB plans both alike,
   * and Kysely builds a join for less.
   */
  readonly joinsCostMore: boolean;
  /**
   * `UPDATE ... RETURNING` exists (SQLite); without it (MariaDB) a counter is
   * incremented as `LAST_INSERT_ID(expr)`, which the UPDATE reports as its insert id.
   */
  readonly updateReturning: boolean;
  /**
   * Statements outside an open transaction run on other connections of a
   * pool (MariaDB), so they can overlap its statements; SQLite has one
   * connection, and such a statement awaited inside a transaction would wait
   * for that transaction's end.
   */
  readonly pooledConnections: boolean;
}

export function capsFor(dialect: DialectName): DialectCaps {
  return dialect === "mysql"
    ? { dialect, rowLocks: true, skipLocked: true, readCommittedSessions: true, multiRowInsertId: "first", joinsCostMore: false, updateReturning: false, pooledConnections: true }
    : { dialect, rowLocks: false, skipLocked: false, readCommittedSessions: false, multiRowInsertId: "last", joinsCostMore: true, updateReturning: true, pooledConnections: false };
}

/** The ids of the `count` rows of one multi-row INSERT whose result reported `insertId`. */
export function insertedIds(caps: DialectCaps, insertId: bigint | number | undefined, count: number): number[] {
  if (insertId === undefined) throw new Error("the store reported no id for an insert");
  const first = caps.multiRowInsertId === "first" ? Number(insertId) : Number(insertId) - count + 1;
  return Array.from({ length: count }, (_, i) => first + i);
}
