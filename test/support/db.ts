// Test databases: every store test runs once per dialect. SQLite gets a
// fresh file in a temp dir; MySQL/MariaDB a fresh database on the server named
// by JOBSERV_TEST_MYSQL_URL (default: the jobserv user .ci/run creates).
// Both are removed in teardown. A missing MariaDB fails the test: no silent skips.
// On a loaded machine MariaDB may answer slowly: the admin connection waits
// up to a minute per attempt and is retried on network errors, up to a
// two-minute hang guard, instead of failing at mysql2's 10 s default.
import { mkdtempSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import type { ExecutionContext } from "ava";
import { createConnection, type Connection } from "mysql2/promise";
import { openStore, type Store } from "../../server/store/db.js";

export type Dialect = "sqlite" | "mysql";

export const dialects: readonly Dialect[] = ["sqlite", "mysql"];

const mysqlBase = () => process.env["JOBSERV_TEST_MYSQL_URL"] ?? "mysql://jobserv:jobserv@127.0.0.1:3306";

const RETRIED = new Set(["ETIMEDOUT", "ECONNREFUSED", "ECONNRESET", "EPIPE", "PROTOCOL_CONNECTION_LOST", "ER_CON_COUNT_ERROR"]);

/** A connection to the test MariaDB server (no database selected), patient with a busy machine. */
export async function adminConnection(ceilingMs = 120_000): Promise<Connection> {
  const deadline = Date.now() + ceilingMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await createConnection({ uri: mysqlBase(), connectTimeout: 60_000 });
    } catch (e) {
      const code = (e as { code?: string }).code ?? "";
      if (!RETRIED.has(code) || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, Math.min(200 * 2 ** attempt, 5_000)));
    }
  }
}

/** A URL for a fresh, empty database of `dialect`, dropped in teardown. */
export async function freshDatabaseUrl(t: ExecutionContext, dialect: Dialect): Promise<string> {
  if (dialect === "sqlite") {
    const dir = mkdtempSync(path.join(os.tmpdir(), "jobserv-test-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    return `sqlite:${path.join(dir, "jobserv.db")}`;
  }
  const name = `jobserv_t_${randomBytes(6).toString("hex")}`;
  const admin = await adminConnection();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  t.teardown(async () => {
    const c = await adminConnection();
    await c.query(`DROP DATABASE IF EXISTS ${name}`);
    await c.end();
  });
  return `${mysqlBase().replace(/\/$/, "")}/${name}`;
}

/** A migrated store on a fresh database, closed in teardown. */
export async function openTestStore(t: ExecutionContext, dialect: Dialect): Promise<Store> {
  const store = await openStore(await freshDatabaseUrl(t, dialect));
  t.teardown(() => store.close());
  return store;
}
