// Benchmark 4: scheduler throughput on MariaDB. M runs of a no-op are queued
// first (untimed), then W simulated workers (concurrency 1, no containers)
// open their Pull streams and report each assignment PASSED at once; the
// figure is runs/s from the first Pull to the last PASSED, with every run
// checked to have been assigned exactly once. Baseline: the store's own floor
// for the same work, each run claimed and completed by two compare-and-set
// UPDATEs issued straight through mysql2 from 8 connections.
import { createPool } from "mysql2/promise";
import { Status } from "../gen/jobserv/v1/status_pb.js";
import type { Assignment } from "../gen/jobserv/v1/worker_pb.js";
import { apiClients, projectYaml } from "./support/api.js";
import { freshDb } from "./support/bench-db.js";
import { row, type Row } from "./support/report.js";
import { startServerProcess } from "./support/server-process.js";
import { inBatches, registerSimWorker, type SimWorker } from "./support/sim-worker.js";
import { nowMs, percentile } from "./support/stats.js";

export interface SchedulerSizes { runs: number; workers: number }

const PER_BUILD = 500;

export async function benchSchedulerThroughput(s: SchedulerSizes): Promise<Row[]> {
  const db = await freshDb("mysql");
  const server = await startServerProcess(db.url);
  try {
    const api = apiClients(server.url);
    const perBuild = Math.min(PER_BUILD, s.runs);
    const builds = Math.ceil(s.runs / perBuild);
    const total = builds * perBuild;
    await api.projects.createProject({ name: "noop", definitionYaml: projectYaml("sched", "true", perBuild) });
    for (let b = 0; b < builds; b++) await api.builds.triggerBuild({ project: "noop", triggerName: "ci" });

    const seen = new Map<bigint, number>();
    const passMs: number[] = [];
    const waits: number[] = []; // a worker's PASSED acknowledged -> its next Assignment
    const lastPassed = new Map<string, number>();
    let done = 0;
    let finished: () => void = () => {};
    const allDone = new Promise<void>((r) => { finished = r; });
    const onAssignment = (a: Assignment, w: SimWorker) => {
      const id = a.definition!.runId;
      seen.set(id, (seen.get(id) ?? 0) + 1);
      const t = nowMs();
      if (lastPassed.has(w.name)) waits.push(t - lastPassed.get(w.name)!);
      void w.pass(a).then(() => {
        passMs.push(nowMs() - t);
        lastPassed.set(w.name, nowMs());
        if (++done === total) finished();
      }, (e: unknown) => console.error("pass failed:", e));
    };
    const names = Array.from({ length: s.workers }, (_, i) => `sim-${i}`);
    const workers = await inBatches(names, 50, (n) => registerSimWorker(server.url, n, ["sched"], 1, onAssignment));
    const cpu0 = await server.stats();
    const t0 = nowMs();
    await Promise.all(workers.map((w) => w.open()));
    await allDone;
    const ms = nowMs() - t0;
    const cpu1 = await server.stats();
    for (const w of workers) w.close();
    const dupes = [...seen.values()].filter((n) => n > 1).length;
    if (seen.size !== total || dupes) throw new Error(`exactly-once violated: ${seen.size} distinct of ${total}, ${dupes} assigned twice`);

    const floor = await storeFloor(db.url, Math.min(total, 2000));
    const rate = total / (ms / 1000);
    const cpuPct = (100 * (cpu1.cpuMs - cpu0.cpuMs)) / (cpu1.at - cpu0.at);
    return [row({
      bench: "4 scheduler throughput", figure: "runs/s mysql", size: `${total} runs, ${s.workers} workers`, unit: "runs/s",
      value: rate, baseline: floor, baselineLabel: "bare CAS UPDATEs", target: ">= 500 runs/s", met: rate >= 500,
      note: `each run assigned exactly once; UpdateRun(PASSED) p50 ${percentile(passMs, 50).toFixed(0)} ms, PASSED -> next Assignment p50 ${percentile(waits, 50).toFixed(0)} ms; server CPU ${cpuPct.toFixed(0)}% of one core; a 20 s poller would cap ${s.workers} workers at ${(s.workers / 20).toFixed(0)} runs/s`,
    })];
  } finally {
    await server.stop();
    await db.drop();
  }
}

/** Runs/s of claiming and completing `n` runs with bare compare-and-set UPDATEs. */
async function storeFloor(url: string, n: number): Promise<number> {
  const pool = createPool({ uri: url, connectionLimit: 8 });
  try {
    const [rows] = await pool.query(`SELECT id FROM runs ORDER BY id LIMIT ${n}`);
    const ids = (rows as { id: number }[]).map((r) => r.id);
    await pool.query(`UPDATE runs SET status = ? WHERE id IN (${ids.join(",")})`, [Status.QUEUED]);
    const t0 = nowMs();
    await inBatches(ids, 8, async (id) => {
      await pool.execute("UPDATE runs SET status = ? WHERE id = ? AND status = ?", [Status.RUNNING, id, Status.QUEUED]);
      await pool.execute("UPDATE runs SET status = ? WHERE id = ? AND status = ?", [Status.PASSED, id, Status.RUNNING]);
    });
    return ids.length / ((nowMs() - t0) / 1000);
  } finally {
    await pool.end();
  }
}
