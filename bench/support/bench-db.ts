// A fresh database per benchmark: a temp SQLite file, or a `jobserv_bench_*`
// database on MariaDB (BENCH_MYSQL_URL, default the jobserv user the test set-up creates).
import { mkdtempSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { createConnection } from "mysql2/promise";

export type Dialect = "sqlite" | "mysql";

export interface BenchDb { url: string; dialect: Dialect; drop(): Promise<void> }

export const mysqlBase = (): string => (process.env["BENCH_MYSQL_URL"] ?? "mysql://jobserv:jobserv@127.0.0.1:3306").replace(/\/$/, "");

export async function freshDb(dialect: Dialect): Promise<BenchDb> {
  if (dialect === "sqlite") {
    const dir = mkdtempSync(path.join(os.tmpdir(), "jobserv-bench-"));
    return { url: `sqlite:${path.join(dir, "jobserv.db")}`, dialect, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `jobserv_bench_${randomBytes(5).toString("hex")}`;
  const admin = await createConnection(mysqlBase());
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: `${mysqlBase()}/${name}`, dialect,
    async drop() {
      const c = await createConnection(mysqlBase());
      await c.query(`DROP DATABASE IF EXISTS ${name}`);
      await c.end();
    },
  };
}
