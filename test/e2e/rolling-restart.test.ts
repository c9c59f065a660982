// Rolling restart: instance A gets SIGTERM while a worker streams a run
// through a balancer (a TCP proxy) to it. A stops accepting connections,
// finishes the call it is in the middle of, closes the worker's Pull stream
// and exits (with a deadline); the balancer then sends new connections to
// instance B on the same store, the worker's Pull stream opens there, and the
// run PASSES with its console.log byte-identical. On both store dialects.
import http from "node:http";
import net from "node:net";
import test from "ava";
import { RunService } from "../../gen/jobserv/v1/run_pb.js";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { applyProject, readLog, trigger, waitForBuild } from "../support/builds.js";
import { apiClient, eventually } from "../support/clients.js";
import { dialects, freshDatabaseUrl } from "../support/db.js";
import { countingProject, splitStanza } from "../support/projects.js";
import { parsePrometheus } from "../support/prometheus.js";
import { WORKER_SECRET } from "../support/server.js";
import { ServerProcess } from "../support/server-process.js";
import { startTcpProxy } from "../support/tcp-proxy.js";
import { spawnWorker } from "../support/worker-process.js";

const { yaml, expected } = countingProject({ tag: "drain", lines: 300, text: "whichever instance is listening", pause: { every: 1, seconds: 0.05 } });

async function metric(url: string, name: string): Promise<number> {
  return parsePrometheus(await (await fetch(`${url}/metrics`)).text()).get(name);
}

/** A RegisterWorker call whose body is held back: in flight on the server from `continued` until `finish()`. */
function heldCall(port: number, body: string): { continued: Promise<void>; finish(): Promise<{ status: number; body: string }> } {
  const req = http.request({
    host: "127.0.0.1", port, method: "POST", path: "/jobserv.v1.WorkerService/RegisterWorker", agent: false,
    // Node's server answers 100 Continue as it hands the request to the handler.
    headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), expect: "100-continue" },
  });
  const continued = new Promise<void>((resolve) => req.once("continue", () => resolve()));
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.once("error", reject);
    req.once("response", (res) => {
      const parts: Buffer[] = [];
      res.on("data", (d: Buffer) => parts.push(d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString() }));
    });
  });
  req.flushHeaders();
  return { continued, finish: () => { req.end(body); return response; } };
}

async function refusesConnections(port: number): Promise<true | undefined> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => { s.destroy(); resolve(undefined); });
    s.once("error", (e: NodeJS.ErrnoException) => resolve(e.code === "ECONNREFUSED" ? true : undefined));
  });
}

for (const dialect of dialects) {
  test(`${dialect}: SIGTERM drains an instance mid-run; the worker carries on with another`, async (t) => {
    const databaseUrl = await freshDatabaseUrl(t, dialect);
    const a = await ServerProcess.start(t, databaseUrl);
    const b = await ServerProcess.start(t, databaseUrl);
    const proxy = await startTcpProxy(t, a.port);
    const worker = spawnWorker(t, { url: proxy.url, name: `drain-${dialect}`, tags: ["drain"], protocol: "connect" });
    const why = () => `worker: ${worker.output()}\nA: ${a.output()}\nB: ${b.output()}`;
    await applyProject(b.url, "drain", yaml);
    const n = await trigger(b.url, "drain", "t");
    const runs = apiClient(RunService, b.url);
    await eventually(async () => {
      const run = (await runs.getRun({ ref: { project: "drain", buildNumber: n, run: "count" } })).run;
      return run && Number(run.logSize) > 1_000 ? true : undefined;
    }, 30_000, () => `the run to be under way. ${why()}`);
    t.is(await metric(a.url, "jobserv_connected_workers"), 1, "the worker's Pull stream is on A");
    t.is(await metric(b.url, "jobserv_connected_workers"), 0);

    const call = heldCall(a.port, JSON.stringify({ name: "late-worker", token: "a-token-of-at-least-16-chars", hostTags: ["x"], concurrency: 1, registrationSecret: WORKER_SECRET }));
    await call.continued;
    const exit = a.terminate(15_000);
    await eventually(() => refusesConnections(a.port), 10_000, "A to stop accepting connections");
    const reply = await call.finish();
    t.is(reply.status, 200, `the call in flight at SIGTERM finished: ${reply.body}`);
    t.deepEqual(JSON.parse(reply.body), { enlisted: true });
    t.is(await exit, 0, "A drained and exited cleanly");

    proxy.retarget(b.port);
    await eventually(async () => ((await metric(b.url, "jobserv_connected_workers")) === 1 ? true : undefined), 15_000,
      () => `the worker's Pull stream to reopen on B. ${why()}`);
    const build = await waitForBuild(b.url, "drain", n, why, 60_000);
    t.is(build.runs[0]?.status, Status.PASSED, build.runs[0]?.statusMessage);
    t.true(await metric(b.url, "jobserv_log_bytes_ingested_total") > 0, "log bytes arrived through B after A left");
    const { output } = splitStanza(await readLog(b.url, "drain", n, "count"));
    t.is(output, expected, "console.log is byte-identical to the container output");
  });
}
