// Test databases: every store test runs once per dialect. SQLite gets a
// fresh file in a temp dir; MySQL/MariaDB a fresh database on the server named
// by JOBSERV_TEST_MYSQL_URL (default: the jobserv user .ci/run creates).
// Both are removed in teardown. A missing MariaDB fails the test: no silent skips.
import { mkdtempSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import type { ExecutionContext } from "ava";
import { createConnection } from "mysql2/promise";
import { openStore, type Store } from "../../server/store/db.js";

export type Dialect = "sqlite" | "mysql";

export const dialects: readonly Dialect[] = ["sqlite", "mysql"];

const mysqlBase = () => process.env["JOBSERV_TEST_MYSQL_URL"] ?? "mysql://jobserv:jobserv@127.0.0.1:3306";

/** A URL for a fresh, empty database of `dialect`, dropped in teardown. */
export async function freshDatabaseUrl(t: ExecutionContext, dialect: Dialect): Promise<string> {
  if (dialect === "sqlite") {
    const dir = mkdtempSync(path.join(os.tmpdir(), "jobserv-test-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    return `sqlite:${path.join(dir, "jobserv.db")}`;
  }
  const name = `jobserv_t_${randomBytes(6).toString("hex")}`;
  const admin = await createConnection(mysqlBase());
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  t.teardown(async () => {
    const c = await createConnection(mysqlBase());
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
