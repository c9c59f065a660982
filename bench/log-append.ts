// Benchmark 3b: per-append log ingest. The server's LogStore appends
// `count` chunks of `bytes` each to one run's log, one after another as the
// shipper sends them, on a fresh store; baseline in the same run: the same
// chunks appended to a plain file, each made durable (fdatasync) before the
// next, as a commit is.
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { triggerBuild } from "../server/builds/trigger.js";
import { LogStore } from "../server/logs/log-store.js";
import { openStore } from "../server/store/db.js";
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

function fileAppendMBs(bytes: number, count: number): number {
  const dir = mkdtempSync(path.join(os.tmpdir(), "jobserv-bench-append-"));
  try {
    const fd = openSync(path.join(dir, "log"), "a");
    const data = chunk(bytes);
    const t0 = nowMs();
    for (let i = 0; i < count; i++) { writeSync(fd, data); fdatasyncSync(fd); }
    const ms = nowMs() - t0;
    closeSync(fd);
    return (bytes * count) / 1e6 / (ms / 1000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function storeAppendMBs(dialect: Dialect, bytes: number, count: number): Promise<number> {
  const db = await freshDb(dialect);
  const store = await openStore(db.url);
  try {
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
    return (bytes * count) / 1e6 / ((nowMs() - t0) / 1000);
  } finally {
    await store.close();
    await db.drop();
  }
}

export async function benchLogAppend(s: AppendSizes): Promise<Row[]> {
  const rows: Row[] = [];
  for (const bytes of SIZES) {
    const count = Math.max(4, Math.round((s.totalMegabytes * 1024 * 1024) / bytes));
    const file = fileAppendMBs(bytes, count);
    for (const dialect of ["sqlite", "mysql"] as Dialect[]) {
      const mbs = await storeAppendMBs(dialect, bytes, count);
      rows.push(row({
        bench: "3 log append", figure: `MB/s ${dialect}`, size: `${count} x ${bytes / 1024} KiB`, unit: "MB/s",
        value: mbs, baseline: file, baselineLabel: "file append + fdatasync", target: ">= 1x file append", met: mbs >= file,
      }));
    }
  }
  return rows;
}
