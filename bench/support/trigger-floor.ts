// The store's own floor for dispatch: TriggerBuild's write transaction (the
// project's build counter, the build, its run, their QUEUED events: what the
// server commits before it pushes the run) replayed through the bare driver,
// one after another on the bench's own database, with copies of a build and a
// run the server wrote. What is left of the dispatch figure above it is the
// wire and the server's own work.
import BetterSqlite3 from "better-sqlite3";
import { createConnection } from "mysql2/promise";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { BenchDb } from "./bench-db.js";
import { nowMs } from "./stats.js";

type Row = Record<string, unknown>;

/** Latencies (ms) of `n` trigger transactions, each committed before the next starts. */
export async function triggerTransactionFloor(db: BenchDb, project: string, n: number): Promise<number[]> {
  return db.dialect === "sqlite" ? sqliteFloor(db.url.replace(/^sqlite:/, ""), project, n) : mysqlFloor(db.url, project, n);
}

const insert = (table: string, row: Row) => {
  const cols = Object.keys(row);
  return { sql: `INSERT INTO ${table} (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`, values: Object.values(row) };
};

/** The last build of the project and its first run, without their ids (and the run's generated queue_rank): the rows each replay inserts again. */
function templates(build: Row, run: Row): { build: Row; run: Row } {
  const { id: _b, ...b } = build;
  const { id: _r, queue_rank: _q, ...r } = run;
  return { build: b, run: r };
}

async function mysqlFloor(url: string, project: string, n: number): Promise<number[]> {
  const c = await createConnection(url);
  try {
    const [[{ id: projectId }]] = await c.query("SELECT id FROM projects WHERE name = ?", [project]) as unknown as [{ id: number }[]];
    const [[build]] = await c.query("SELECT * FROM builds WHERE project_id = ? ORDER BY id DESC LIMIT 1", [projectId]) as unknown as [Row[]];
    const [[run]] = await c.query("SELECT * FROM runs WHERE build_id = ? ORDER BY id LIMIT 1", [build!["id"]]) as unknown as [Row[]];
    const t = templates(build!, run!);
    const lat: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = nowMs();
      await c.query("BEGIN");
      const [counter] = await c.query("UPDATE projects SET last_build_number = LAST_INSERT_ID(last_build_number + 1) WHERE id = ?", [projectId]) as unknown as [{ insertId: number }];
      const b = insert("builds", { ...t.build, number: counter.insertId, created_at: Date.now() });
      const [bi] = await c.query(b.sql, b.values) as unknown as [{ insertId: number }];
      const r = insert("runs", { ...t.run, build_id: bi.insertId });
      const [ri] = await c.query(r.sql, r.values) as unknown as [{ insertId: number }];
      await c.query("INSERT INTO run_events (run_id, status, worker_name, message, time) VALUES (?, ?, NULL, '', ?)", [ri.insertId, Status.QUEUED, Date.now()]);
      await c.query("INSERT INTO build_events (build_id, status, time) VALUES (?, ?, ?)", [bi.insertId, Status.QUEUED, Date.now()]);
      await c.query("COMMIT");
      lat.push(nowMs() - t0);
    }
    return lat;
  } finally {
    await c.end();
  }
}

function sqliteFloor(file: string, project: string, n: number): number[] {
  const d = new BetterSqlite3(file);
  try {
    const { id: projectId } = d.prepare("SELECT id FROM projects WHERE name = ?").get(project) as { id: number };
    d.pragma("journal_mode = WAL");
    d.pragma("synchronous = NORMAL");
    const build = d.prepare("SELECT * FROM builds WHERE project_id = ? ORDER BY id DESC LIMIT 1").get(projectId) as Row;
    const run = d.prepare("SELECT * FROM runs WHERE build_id = ? ORDER BY id LIMIT 1").get(build["id"]) as Row;
    const t = templates(build, run);
    const counter = d.prepare("UPDATE projects SET last_build_number = last_build_number + 1 WHERE id = ? RETURNING last_build_number AS number");
    const b = insert("builds", t.build);
    const r = insert("runs", t.run);
    const addBuild = d.prepare(b.sql);
    const addRun = d.prepare(r.sql);
    const runEvent = d.prepare("INSERT INTO run_events (run_id, status, worker_name, message, time) VALUES (?, ?, NULL, '', ?)");
    const buildEvent = d.prepare("INSERT INTO build_events (build_id, status, time) VALUES (?, ?, ?)");
    const buildCols = Object.keys(t.build);
    const runCols = Object.keys(t.run);
    const lat: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = nowMs();
      d.exec("BEGIN IMMEDIATE");
      const { number } = counter.get(projectId) as { number: number };
      const buildId = addBuild.run(...buildCols.map((k) => (k === "number" ? number : k === "created_at" ? Date.now() : t.build[k]))).lastInsertRowid;
      const runId = addRun.run(...runCols.map((k) => (k === "build_id" ? buildId : t.run[k]))).lastInsertRowid;
      runEvent.run(runId, Status.QUEUED, Date.now());
      buildEvent.run(buildId, Status.QUEUED, Date.now());
      d.exec("COMMIT");
      lat.push(nowMs() - t0);
    }
    return lat;
  } finally {
    d.close();
  }
}
