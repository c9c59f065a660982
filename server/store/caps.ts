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
}

export function capsFor(dialect: DialectName): DialectCaps {
  return dialect === "mysql"
    ? { dialect, rowLocks: true, skipLocked: true, readCommittedSessions: true }
    : { dialect, rowLocks: false, skipLocked: false, readCommittedSessions: false };
}
