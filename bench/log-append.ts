// Benchmark 3b: per-append log ingest. The server's LogStore appends
// `count` chunks of `bytes` each to one run's log, one after another as the
// shipper sends them, on a fresh store; baseline, measured just before each
// store in the same run: the same chunks appended to a plain file on the same
// disk with the durability that store's commit has, read from the store itself:
// - SQLite in WAL mode with synchronous = NORMAL (db.ts): a commit is written
//   to the WAL but not synced (a process crash loses nothing, power loss may
//   lose commits since the last checkpoint), so the file baseline is write()
//   alone; with synchronous = FULL it would be write() + fdatasync.
// - MariaDB/MySQL with innodb_flush_log_at_trx_commit = 1 (the default): the
//   redo log is flushed to disk at every commit, so write() + fdatasync per
//   chunk; with 0 or 2, write() alone. (sync_binlog with the binlog on would
//   add a second sync; the baseline keeps the one a commit cannot do without.)
// The note gives the store's own floor in the same run: the same chunks as
// rows of a bare two-column table, one autocommit INSERT each, straight
// through the driver (better-sqlite3 on a file with the store's pragmas;
// mysql2 prepared statements on the store's database): what any append
// through that store costs before jobserv does anything.
import BetterSqlite3 from "better-sqlite3";
import { createConnection } from "mysql2/promise";
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { sql } from "kysely";
import os from "node:os";
import path from "node:path";
import { triggerBuild } from "../server/builds/trigger.js";
import { LogStore } from "../server/logs/log-store.js";
import { openStore, type Store } from "../server/store/db.js";
import { insertProject } from "../server/store/projects.js";
import { freshDb, type Dialect } from "./support/bench-db.js";
import { row, type Row } from "./support/report.js";
import { nowMs } from "./support/stats.js";
import { triggerDeps } from "../test/support/trigger.js";
import { PASS_FAIL_YAML } from "../test/support/projects.js";

export interface AppendSizes { totalMegabytes: number }

const SIZES = [64 * 1024, 1024 * 1024];

function chunk(bytes: number): Buffer {
  return Buffer.from("jobserv log append 0123456789 abcdefghijklmnopqrstuvwxyz\n".repeat(Math.ceil(bytes / 57))).subarray(0, bytes);
}

/** Appends the chunks to a file in the temp dir (on the bench host the disk of the SQLite store and of MariaDB), each synced before the next if `sync`. */
function fileAppendMBs(bytes: number, count: number, sync: boolean): number {
  const dir = mkdtempSync(path.join(os.tmpdir(), "jobserv-bench-append-"));
  try {
    const fd = openSync(path.join(dir, "log"), "a");
    const data = chunk(bytes);
    const t0 = nowMs();
    for (let i = 0; i < count; i++) {
      writeSync(fd, data);
      if (sync) fdatasyncSync(fd);
    }
    const ms = nowMs() - t0;
    closeSync(fd);
    return (bytes * count) / 1e6 / (ms / 1000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** MB/s of appending the chunks as rows of a bare table through the driver alone, one autocommit INSERT each. */
async function driverFloorMBs(dialect: Dialect, url: string, bytes: number, count: number): Promise<number> {
  const data = chunk(bytes);
  if (dialect === "sqlite") {
    const dir = mkdtempSync(path.join(os.tmpdir(), "jobserv-bench-floor-"));
    const db = new BetterSqlite3(path.join(dir, "floor.db"));
    try {
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      // The store checkpoints on a worker thread (sqlite-checkpointer.ts), never in a commit: nor does the floor.
      db.pragma("wal_autocheckpoint = 0");
      db.exec("CREATE TABLE chunks (id INTEGER PRIMARY KEY, data BLOB NOT NULL)");
      const insert = db.prepare("INSERT INTO chunks (id, data) VALUES (?, ?)");
      const t0 = nowMs();
      for (let i = 0; i < count; i++) insert.run(i, data);
      return (bytes * count) / 1e6 / ((nowMs() - t0) / 1000);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const conn = await createConnection(url);
  try {
    await conn.query("CREATE TABLE bench_floor_chunks (id INT PRIMARY KEY, data LONGBLOB NOT NULL)");
    const t0 = nowMs();
    for (let i = 0; i < count; i++) await conn.execute("INSERT INTO bench_floor_chunks (id, data) VALUES (?, ?)", [i, data]);
    const mbs = (bytes * count) / 1e6 / ((nowMs() - t0) / 1000);
    await conn.query("DROP TABLE bench_floor_chunks");
    return mbs;
  } finally {
    await conn.end();
  }
}

/** Whether the store syncs its log to disk at every commit (see the header). */
async function syncsEachCommit(store: Store, dialect: Dialect): Promise<boolean> {
  if (dialect === "sqlite") {
    const { rows } = await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(store.db);
    return Number(rows[0]!.synchronous) >= 2; // 2 FULL, 3 EXTRA; 1 NORMAL syncs only at checkpoints
  }
  const { rows } = await sql<{ v: number }>`SELECT @@innodb_flush_log_at_trx_commit AS v`.execute(store.db);
  return Number(rows[0]!.v) === 1;
}

/** The store's MB/s and, measured just before it, a file append's with the same durability. */
async function storeAppendMBs(dialect: Dialect, bytes: number, count: number): Promise<{ mbs: number; file: number; sync: boolean; floor: number }> {
  const db = await freshDb(dialect);
  const store = await openStore(db.url);
  try {
    const sync = await syncsEachCommit(store, dialect);
    // The best of three: a write-only append of a few MB takes milliseconds, so
    // one try measures the shared host's moment more than the disk.
    const file = Math.max(...[0, 1, 2].map(() => fileAppendMBs(bytes, count, sync)));
    await insertProject(store.db, "p", PASS_FAIL_YAML, Date.now());
    await triggerBuild(triggerDeps(store), { project: "p", triggerName: "ci", params: {}, reason: "" });
    const run = await store.db.selectFrom("runs").select("id").orderBy("id").executeTakeFirstOrThrow();
    const logs = new LogStore(store);
    const data = chunk(bytes);
    const t0 = nowMs();
    for (let i = 0; i < count; i++) {
      const end = await logs.append(run.id, i * bytes, data);
      if (end !== (i + 1) * bytes) throw new Error(`append ${i} committed ${end}`);
    }
    const mbs = (bytes * count) / 1e6 / ((nowMs() - t0) / 1000);
    // The best of two, as the file's is the best of three.
    const floor = Math.max(await driverFloorMBs(dialect, db.url, bytes, count), await driverFloorMBs(dialect, db.url, bytes, count));
    return { mbs, file, sync, floor };
  } finally {
    await store.close();
    await db.drop();
  }
}

export async function benchLogAppend(s: AppendSizes): Promise<Row[]> {
  const rows: Row[] = [];
  for (const bytes of SIZES) {
    const count = Math.max(4, Math.round((s.totalMegabytes * 1024 * 1024) / bytes));
    for (const dialect of ["sqlite", "mysql"] as Dialect[]) {
      const { mbs, file, sync, floor } = await storeAppendMBs(dialect, bytes, count);
      rows.push(row({
        bench: "3 log append", figure: `MB/s ${dialect}`, size: `${count} x ${bytes / 1024} KiB`, unit: "MB/s",
        value: mbs, baseline: file, baselineLabel: sync ? "file append + fdatasync" : "file append, no sync", target: ">= 1x file append", met: mbs >= file,
        note: `the store's own floor, a bare autocommit INSERT of each chunk through the driver: ${floor.toFixed(1)} MB/s (${(floor / file).toFixed(2)}x the file append); jobserv ${(mbs / floor).toFixed(2)}x of that floor`,
      }));
    }
  }
  return rows;
}
