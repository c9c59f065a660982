// `npm run bench -- --soak [--minutes=N]` (default 2): one server process on
// SQLite under mixed load for N minutes: builds triggered over the API and by
// signed GitHub push webhooks, simulated workers (the real worker protocol,
// no containers) that append log chunks and pass their runs, GetBuild and
// ListBuilds readers, WatchBuilds streams re-opened every few seconds, and
// TailLog followers of running runs. Every interval (a tenth of the run, at
// least 10 s) the server's RSS and the p99 of the unary calls are sampled.
// Rows: RSS growth and p99 drift, last interval against the first
// (the baseline); a leak or a slowing store shows as a ratio above 1.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Assignment } from "../gen/jobserv/v1/worker_pb.js";
import { apiClients, projectYaml } from "./support/api.js";
import { freshDb } from "./support/bench-db.js";
import { row, type Row } from "./support/report.js";
import { startServerProcess } from "./support/server-process.js";
import { registerSimWorker, type SimWorker } from "./support/sim-worker.js";
import { nowMs, percentile, sleep } from "./support/stats.js";

const KEY = "soak-webhook-key";
const PUSH = readFileSync(path.join(import.meta.dirname, "../test/fixtures/webhooks/github/push.json"));
const MiB = 1024 * 1024;

const GITHUB_TRIGGER = `
  - name: gh
    type: github_pr
    runs:
      - name: push
        container: img
        host-tag: soak
        script: s
`;

interface Interval { rssMiB: number; p50: number; p99: number; calls: number; errors: number }

export async function benchSoak(minutes: number): Promise<Row[]> {
  // Commit statuses of the webhook builds go to a local sink, never to api.github.com.
  const sink = http.createServer((req, res) => { req.resume(); req.on("end", () => { res.writeHead(201, { "content-type": "application/json" }); res.end("{}"); }); });
  await new Promise<void>((resolve) => sink.listen(0, "127.0.0.1", resolve));
  const db = await freshDb("sqlite");
  const server = await startServerProcess(db.url, { logLevel: "warn", githubApi: `http://127.0.0.1:${(sink.address() as AddressInfo).port}` });
  const stop = new AbortController();
  const loops: Promise<void>[] = [];
  let samples: number[] = [];
  let errors = 0;
  const counts = { builds: 0, webhooks: 0, runs: 0, logBytes: 0, watchEvents: 0, tailBytes: 0 };
  const timed = async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
    const t0 = nowMs();
    try {
      const v = await fn();
      samples.push(nowMs() - t0);
      return v;
    } catch {
      if (!stop.signal.aborted) errors++;
      return undefined;
    }
  };
  const loop = (everyMs: number, body: () => Promise<void>) => loops.push((async () => {
    while (!stop.signal.aborted) {
      await body();
      await sleep(everyMs);
    }
  })());
  const workers: SimWorker[] = [];
  try {
    const api = apiClients(server.url);
    const yaml = projectYaml("soak", "true", 2).replace("\nscripts:", `${GITHUB_TRIGGER}scripts:`);
    await api.projects.createProject({ name: "soak", definitionYaml: yaml });
    await api.projects.setTriggerSecrets({ project: "soak", triggerName: "gh", secrets: { "webhook-key": KEY } });

    // Workers: each run gets three log chunks, then passes.
    const onAssignment = (a: Assignment, w: SimWorker) => void (async () => {
      const { runId } = a.definition!;
      let offset = 0n;
      for (let i = 0; i < 3 && !stop.signal.aborted; i++) {
        const data = Buffer.from(`line ${i} of run ${runId}: ${"x".repeat(200)}\n`.repeat(20));
        await w.client.appendLog({ runId, runToken: a.runToken, offset, data });
        offset += BigInt(data.length);
        counts.logBytes += data.length;
        await sleep(100);
      }
      await w.pass(a);
      counts.runs++;
    })().catch(() => { if (!stop.signal.aborted) errors++; });
    for (let i = 0; i < 2; i++) {
      const w = await registerSimWorker(server.url, `soak-${i}`, ["soak"], 4, onAssignment);
      workers.push(w);
      void w.open().catch(() => { if (!stop.signal.aborted) errors++; });
    }

    // Load: triggers, webhooks, readers, watchers, tails.
    loop(250, async () => { if (await timed(() => api.builds.triggerBuild({ project: "soak", triggerName: "ci" }))) counts.builds++; });
    loop(500, async () => {
      const body = JSON.stringify({ ...JSON.parse(PUSH.toString()) as object, after: Math.random().toString(16).slice(2).padEnd(40, "0").slice(0, 40) });
      const res = await timed(() => fetch(`${server.url}/github/soak/gh/`, { method: "POST", body, headers: {
        "content-type": "application/json", "x-github-event": "push", "x-hub-signature-256": `sha256=${createHmac("sha256", KEY).update(body).digest("hex")}`,
      } }).then(async (r) => { await r.arrayBuffer(); if (r.status >= 300) throw new Error(`webhook ${r.status}`); }));
      if (res !== undefined || !stop.signal.aborted) counts.webhooks++;
    });
    for (let i = 0; i < 2; i++) {
      loop(50, async () => { await timed(() => api.builds.listBuilds({ project: "soak" })); });
      loop(50, async () => { await timed(() => api.builds.getBuild({ project: "soak", number: 1 + Math.floor(Math.random() * Math.max(1, counts.builds)) })); });
    }
    for (let i = 0; i < 3; i++) {
      loop(0, async () => {
        const ac = new AbortController();
        const timer = setTimeout(() => ac.abort(), 5000);
        stop.signal.addEventListener("abort", () => ac.abort(), { once: true });
        try {
          for await (const _ of api.builds.watchBuilds({ project: "soak" }, { signal: ac.signal })) counts.watchEvents++;
        } catch { /* aborted on purpose */ }
        clearTimeout(timer);
      });
    }
    for (let i = 0; i < 2; i++) {
      loop(200, async () => {
        const list = await timed(() => api.builds.listBuilds({ project: "soak" }));
        const latest = list?.builds[0];
        if (!latest) return;
        const ac = new AbortController();
        const timer = setTimeout(() => ac.abort(), 5000);
        stop.signal.addEventListener("abort", () => ac.abort(), { once: true });
        try {
          for await (const m of api.runs.tailLog({ ref: { project: "soak", buildNumber: latest.number, run: "r-0" }, follow: true }, { signal: ac.signal })) counts.tailBytes += m.data.length;
        } catch { /* aborted, or the run has no log yet */ }
        clearTimeout(timer);
      });
    }

    const totalMs = minutes * 60_000;
    const intervalMs = Math.max(10_000, totalMs / 10);
    const intervals: Interval[] = [];
    const started = nowMs();
    while (nowMs() - started < totalMs - 1) {
      await sleep(Math.min(intervalMs, totalMs - (nowMs() - started)));
      const stats = await server.stats();
      const took = samples;
      samples = [];
      intervals.push({ rssMiB: stats.rss / MiB, p50: percentile(took, 50), p99: percentile(took, 99), calls: took.length, errors });
      errors = 0;
      const last = intervals.at(-1)!;
      process.stdout.write(`[${intervals.length}: ${last.rssMiB.toFixed(0)} MiB, p99 ${last.p99.toFixed(1)} ms, ${last.calls} calls] `);
    }
    stop.abort();
    const first = intervals[0]!, last = intervals.at(-1)!;
    const size = `${minutes} min, ${intervals.length} intervals of ${(intervalMs / 1000).toFixed(0)} s`;
    const totalErrors = intervals.reduce((a, b) => a + b.errors, 0);
    const note = `${counts.builds} API builds, ${counts.webhooks} webhooks, ${counts.runs} runs passed, ${(counts.logBytes / MiB).toFixed(1)} MiB logged, `
      + `${counts.watchEvents} watch events, ${(counts.tailBytes / MiB).toFixed(1)} MiB tailed, ${totalErrors} errors; RSS by interval ${intervals.map((i) => i.rssMiB.toFixed(0)).join(" ")} MiB; `
      + `p99 by interval ${intervals.map((i) => i.p99.toFixed(0)).join(" ")} ms; calls by interval ${intervals.map((i) => i.calls).join(" ")}; load average ${os.loadavg()[0]!.toFixed(1)}`;
    const common = { bench: "soak (mixed load)", size, baselineLabel: "first interval", target: "", met: null };
    return [
      row({ ...common, figure: "server RSS", value: last.rssMiB, baseline: first.rssMiB, unit: "MiB",
        note: `growth ${(last.rssMiB - first.rssMiB).toFixed(1)} MiB (${((last.rssMiB / first.rssMiB - 1) * 100).toFixed(1)} %)` }),
      row({ ...common, figure: "unary p50 sqlite", value: last.p50, baseline: first.p50, unit: "ms", note: `drift ${(last.p50 / first.p50).toFixed(2)}x` }),
      row({ ...common, figure: "unary p99 sqlite", value: last.p99, baseline: first.p99, unit: "ms", note: `drift ${(last.p99 / first.p99).toFixed(2)}x; ${note}` }),
    ];
  } finally {
    stop.abort();
    for (const w of workers) w.close();
    await Promise.allSettled(loops);
    await server.stop();
    await db.drop();
    sink.closeAllConnections();
    sink.close();
  }
}
