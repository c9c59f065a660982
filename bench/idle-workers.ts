// Benchmark 5: idle connected workers. K simulated workers keep Pull streams
// open on one server instance (its own process, SQLite store; the clients
// live in this process); the figures are the server's RSS and CPU over an
// idle window. Baseline: the same server process before any stream opened.
import { freshDb } from "./support/bench-db.js";
import { row, type Row } from "./support/report.js";
import { startServerProcess, type ServerProcess, type ServerStats } from "./support/server-process.js";
import { inBatches, registerSimWorker } from "./support/sim-worker.js";
import { sleep } from "./support/stats.js";

export interface IdleSizes { streams: number; idleSeconds: number }

const MiB = 1024 * 1024;

async function idleWindow(server: ServerProcess, seconds: number): Promise<{ end: ServerStats; cpuPct: number }> {
  const a = await server.stats();
  await sleep(seconds * 1000);
  const end = await server.stats();
  return { end, cpuPct: (100 * (end.cpuMs - a.cpuMs)) / (end.at - a.at) };
}

export async function benchIdleWorkers(s: IdleSizes): Promise<Row[]> {
  const db = await freshDb("sqlite");
  const server = await startServerProcess(db.url);
  try {
    await sleep(1000);
    const before = await idleWindow(server, Math.min(5, s.idleSeconds));
    const names = Array.from({ length: s.streams }, (_, i) => `idle-${i}`);
    const workers = await inBatches(names, 100, (n) => registerSimWorker(server.url, n, ["idle"], 1, () => {}));
    await inBatches(workers, 200, (w) => w.open());
    await sleep(3000); // let connection set-up garbage be collected
    const idle = await idleWindow(server, s.idleSeconds);
    for (const w of workers) w.close();
    const base = { bench: "5 idle workers", size: `${s.streams} Pull streams, ${s.idleSeconds} s idle`, baselineLabel: "0 streams" };
    return [
      row({ ...base, figure: "server RSS", unit: "MiB", value: idle.end.rss / MiB, baseline: before.end.rss / MiB, target: "<= 1024 MiB", met: idle.end.rss <= 1024 * MiB,
        note: `${(((idle.end.rss - before.end.rss) / s.streams) / 1024).toFixed(1)} KiB per stream` }),
      row({ ...base, figure: "server CPU", unit: "% core", value: idle.cpuPct, baseline: before.cpuPct, target: "", met: null }),
    ];
  } finally {
    await server.stop();
    await db.drop();
  }
}
