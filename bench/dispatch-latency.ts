// Benchmark 1: dispatch latency, trigger -> Assignment received by an idle
// connected (simulated) worker, on SQLite and MariaDB, against JobServ's
// model of a worker polling every 20 s.
//
// The poller baseline goes through the same API: it opens Pull, takes what is
// there, closes, sleeps 20 s. Waiting 20 s per sample is not affordable, so we
// measure its service time s (queued run present -> Pull opened -> Assignment
// received) on real round trips, and compute its latency for a trigger landing
// at a uniformly random moment of its cycle as U(0, 20 s + mean s) + s,
// by Monte Carlo over the measured s samples.
//
// The note gives the floor the push cannot go below, measured in the same
// run: TriggerBuild's write transaction replayed through the bare driver
// (support/trigger-floor.ts) plus one loopback round trip of a no-op RPC.
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { Health } from "../gen/grpc/health/v1/health_pb.js";
import type { Assignment } from "../gen/jobserv/v1/worker_pb.js";
import { apiClients, projectYaml } from "./support/api.js";
import { freshDb, type Dialect } from "./support/bench-db.js";
import { row, type Row } from "./support/report.js";
import { startServerProcess } from "./support/server-process.js";
import { registerSimWorker } from "./support/sim-worker.js";
import { nowMs, percentile, sleep, summarize } from "./support/stats.js";
import { triggerTransactionFloor } from "./support/trigger-floor.js";

export interface DispatchSizes { triggers: number; pollerSamples: number }

const POLL_INTERVAL_MS = 20_000;

/** Issue 16's targets on MariaDB; the first wave's (p50 20 ms, p99 100 ms) on SQLite, which it did not tighten. */
const GOALS: Record<Dialect, { p50: number; p99: number }> = { sqlite: { p50: 20, p99: 100 }, mysql: { p50: 3, p99: 10 } };

export async function benchDispatchLatency(sizes: DispatchSizes): Promise<Row[]> {
  const rows: Row[] = [];
  for (const dialect of ["sqlite", "mysql"] as Dialect[]) rows.push(...await one(dialect, sizes));
  return rows;
}

async function one(dialect: Dialect, sizes: DispatchSizes): Promise<Row[]> {
  const db = await freshDb(dialect);
  const server = await startServerProcess(db.url);
  try {
    const api = apiClients(server.url);
    await api.projects.createProject({ name: "push", definitionYaml: projectYaml("push", "true") });
    await api.projects.createProject({ name: "poll", definitionYaml: projectYaml("poll", "true") });

    // Pushed: one idle worker with its Pull stream open.
    let arrived: ((a: Assignment) => void) | undefined;
    const pusher = await registerSimWorker(server.url, "pusher", ["push"], 1, (a) => arrived?.(a));
    await pusher.open();
    const latencies: number[] = [];
    const triggerMs: number[] = [];
    for (let i = 0; i < sizes.triggers + 3; i++) {
      // The assignment's arrival is timed where it arrives: it is pushed from inside the
      // trigger's own call, usually before that call has answered.
      let at = 0;
      const got = new Promise<Assignment>((r) => { arrived = (a) => { at = nowMs(); r(a); }; });
      const t0 = nowMs();
      await api.builds.triggerBuild({ project: "push", triggerName: "ci" });
      const t1 = nowMs();
      const a = await got;
      if (i >= 3) { // the first few warm up JIT and connections
        latencies.push(at - t0);
        triggerMs.push(t1 - t0);
      }
      await pusher.pass(a);
      await sleep(5 + Math.random() * 20); // decorrelate from the server's poll timer
    }
    pusher.close();

    // One loopback round trip: a no-op RPC (Health/Check) on the same kind of connection.
    const health = createClient(Health, createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" }));
    const rtt: number[] = [];
    for (let i = 0; i < 53; i++) {
      const t0 = nowMs();
      await health.check({});
      if (i >= 3) rtt.push(nowMs() - t0);
    }

    // Poller: a run is already queued when it opens Pull.
    const service: number[] = [];
    let got: ((a: Assignment) => void) | undefined;
    const poller = await registerSimWorker(server.url, "poller", ["poll"], 1, (a) => got?.(a));
    for (let i = 0; i < sizes.pollerSamples + 1; i++) {
      await api.builds.triggerBuild({ project: "poll", triggerName: "ci" });
      await sleep(50);
      const assignment = new Promise<Assignment>((r) => { got = r; });
      const t0 = nowMs();
      await poller.open();
      const a = await assignment;
      if (i >= 1) service.push(nowMs() - t0);
      await poller.pass(a);
      poller.close();
    }
    const meanS = service.reduce((x, y) => x + y, 0) / service.length;
    const simulated = Array.from({ length: 100_000 }, () => Math.random() * (POLL_INTERVAL_MS + meanS) + service[Math.floor(Math.random() * service.length)]!);

    await server.stop();
    const txn = await triggerTransactionFloor(db, "push", 50);
    const floorP50 = percentile(txn, 50) + percentile(rtt, 50);
    const floor = `; floor in the same run: the trigger's write transaction through the bare driver p50 ${percentile(txn, 50).toFixed(2)} ms (p99 ${percentile(txn, 99).toFixed(2)}) `
      + `+ a no-op RPC round trip p50 ${percentile(rtt, 50).toFixed(2)} ms = ${floorP50.toFixed(2)} ms`;
    const push = summarize(latencies);
    const goal = GOALS[dialect];
    const trig = summarize(triggerMs);
    const split = `of which the TriggerBuild call itself p50 ${trig.p50.toFixed(1)} ms, p99 ${trig.p99.toFixed(1)} ms (the run is placed and pushed inside it, so the Assignment usually arrives first)${floor}`;
    const poll = { p50: percentile(simulated, 50), p99: percentile(simulated, 99) };
    const size = `${push.n} triggers; poller s from ${service.length} Pulls (s p50 ${percentile(service, 50).toFixed(1)} ms)`;
    const base = { bench: "1 dispatch latency", size, unit: "ms", baselineLabel: "20 s poller" };
    return [
      row({ ...base, figure: `p50 ${dialect}`, value: push.p50, baseline: poll.p50, target: `<= ${goal.p50} ms`, met: push.p50 <= goal.p50, note: split }),
      row({ ...base, figure: `p99 ${dialect}`, value: push.p99, baseline: poll.p99, target: `<= ${goal.p99} ms`, met: push.p99 <= goal.p99 }),
    ];
  } finally {
    await server.stop();
    await db.drop();
  }
}
