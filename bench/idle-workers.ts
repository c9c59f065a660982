// Benchmark 5: idle connected workers. K simulated workers keep Pull streams
// open on one server instance (its own process, SQLite store; the clients
// live in this process); the figures are the server's RSS and CPU over an
// idle window. Once with one HTTP/1.1 connection per stream (workers dialling
// in directly), once with the streams multiplexed over HTTP/2 connections of
// 1 000 streams each (as a proxy in front would carry them), each on a fresh
// server. Baseline: the same server process before any stream opened.
// BENCH_CPU_PROF=<dir>: prints each idle window in the clock of the server's
// .cpuprofile (bench/support/profile-window.ts sums a window's self time);
// BENCH_HEAP_SNAPSHOT=<dir>: heap snapshots of the server before the streams
// open and after the idle window (compare them with bench/heap-diff.ts);
// BENCH_IDLE_STREAMS=<n> overrides both stream counts; BENCH_IDLE_SPACES=1
// prints how much each V8 heap space grew.
import path from "node:path";
import { createConnectTransport } from "@connectrpc/connect-node";
import { freshDb } from "./support/bench-db.js";
import { row, type Row } from "./support/report.js";
import { startServerProcess, type ServerProcess, type ServerStats } from "./support/server-process.js";
import { inBatches, registerSimWorker } from "./support/sim-worker.js";
import { sleep } from "./support/stats.js";

export interface IdleSizes { streams: number; h2Streams: number; idleSeconds: number }

const MiB = 1024 * 1024;
const STREAMS_PER_H2_CONNECTION = 1000;

async function idleWindow(server: ServerProcess, seconds: number, label: string): Promise<{ end: ServerStats; cpuPct: number }> {
  const a = await server.stats();
  const from = process.hrtime.bigint() / 1000n;
  await sleep(seconds * 1000);
  const end = await server.stats();
  // The window in the clock of a .cpuprofile's timestamps (microseconds, monotonic), to cut the server's profile to it,
  // and in the server's performance.now() (about the ms --trace-gc prints).
  if (process.env["BENCH_CPU_PROF"] || process.env["BENCH_SERVER_FLAGS"]) {
    console.error(`idle window ${label}: ${from}-${process.hrtime.bigint() / 1000n} us; server ${a.at.toFixed(0)}-${end.at.toFixed(0)} ms`);
  }
  return { end, cpuPct: (100 * (end.cpuMs - a.cpuMs)) / (end.at - a.at) };
}

/** `target`: the issue's count and RSS bound; smaller runs are judged on the RSS extrapolated to that count. */
async function one(wire: "HTTP/1.1" | "HTTP/2", streams: number, idleSeconds: number, target: { streams: number; maxMiB: number }): Promise<Row[]> {
  const db = await freshDb("sqlite");
  const server = await startServerProcess(db.url);
  try {
    await sleep(1000);
    const before = await idleWindow(server, Math.min(5, idleSeconds), `${wire} 0 streams`);
    const heapDir = process.env["BENCH_HEAP_SNAPSHOT"];
    const tag = wire === "HTTP/2" ? "h2" : "h1";
    if (heapDir) await server.heapSnapshot(path.join(heapDir, `idle-${tag}-0.heapsnapshot`));
    const transports = wire === "HTTP/2"
      ? Array.from({ length: Math.ceil(streams / STREAMS_PER_H2_CONNECTION) }, () => createConnectTransport({ baseUrl: server.url, httpVersion: "2" }))
      : [];
    const names = Array.from({ length: streams }, (_, i) => `idle-${i}`);
    const workers = await inBatches(names, 100, (n, i) =>
      registerSimWorker(server.url, n, ["idle"], 1, () => {}, transports[Math.floor(i / STREAMS_PER_H2_CONNECTION)]));
    await inBatches(workers, 200, (w) => w.open());
    await sleep(3000); // let connection set-up garbage be collected
    const idle = await idleWindow(server, idleSeconds, `${wire} ${streams} streams`);
    if (heapDir) await server.heapSnapshot(path.join(heapDir, `idle-${tag}-${streams}.heapsnapshot`));
    for (const w of workers) w.close();
    const base = { bench: "5 idle workers", size: `${streams} ${wire} Pull streams, ${idleSeconds} s idle`, baselineLabel: "0 streams" };
    const perStream = (idle.end.rss - before.end.rss) / streams;
    if (process.env["BENCH_IDLE_SPACES"]) {
      const grew = Object.entries(idle.end.spaces).map(([k, v]) => `${k} +${((v - (before.end.spaces[k] ?? 0)) / MiB).toFixed(1)}`).join(", ");
      console.error(`${wire}: V8 heap spaces grew by (MiB) ${grew}`);
    }
    const projected = before.end.rss + perStream * target.streams;
    return [
      row({ ...base, figure: `server RSS ${wire}`, unit: "MiB", value: idle.end.rss / MiB, baseline: before.end.rss / MiB,
        target: `<= ${target.maxMiB} MiB at ${target.streams}`, met: projected <= target.maxMiB * MiB,
        note: `${(perStream / 1024).toFixed(1)} KiB per stream (V8 heap used ${((idle.end.heapUsed - before.end.heapUsed) / streams / 1024).toFixed(1)} KiB of ${((idle.end.heapTotal - before.end.heapTotal) / streams / 1024).toFixed(1)} KiB, `
          + `external ${((idle.end.external - before.end.external) / streams / 1024).toFixed(1)} KiB)${streams === target.streams ? "" : `; ${(projected / MiB).toFixed(0)} MiB extrapolated to ${target.streams} streams`}` }),
      row({ ...base, figure: `server CPU ${wire}`, unit: "% core", value: idle.cpuPct, baseline: before.cpuPct, target: "< 5 %", met: idle.cpuPct < 5 }),
    ];
  } finally {
    await server.stop();
    await db.drop();
  }
}

/** Targets (issue 16): 10 000 HTTP/1.1 streams in <= 512 MiB, 50 000 HTTP/2 streams in <= 1 GiB, < 5 % of a core. */
export async function benchIdleWorkers(sizes: IdleSizes): Promise<Row[]> {
  const n = Number(process.env["BENCH_IDLE_STREAMS"]) || 0;
  const s = n ? { ...sizes, streams: n, h2Streams: n } : sizes;
  return [
    ...await one("HTTP/1.1", s.streams, s.idleSeconds, { streams: 10_000, maxMiB: 512 }),
    ...await one("HTTP/2", s.h2Streams, s.idleSeconds, { streams: 50_000, maxMiB: 1024 }),
  ];
}
