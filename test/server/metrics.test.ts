// GET /metrics after real activity over real sockets: a worker (the minimal
// protocol client) completes a run and appends log bytes (one resend), a run
// waits for a host tag no worker has, a call fails with NOT_FOUND. The scrape
// is parsed strictly as the Prometheus text format and the names, labels and
// values checked. On both store dialects.
import { Code, ConnectError } from "@connectrpc/connect";
import test from "ava";
import { BuildService } from "../../gen/jobserv/v1/build_pb.js";
import { ProjectService } from "../../gen/jobserv/v1/project_pb.js";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { apiClient, eventually } from "../support/clients.js";
import { dialects } from "../support/db.js";
import { startMiniWorker } from "../support/mini-worker.js";
import { parsePrometheus, promtoolProblems } from "../support/prometheus.js";
import { TEST_IMAGE } from "../support/projects.js";
import { startTestServer } from "../support/server.js";

const project = (hostTag: string) => `
timeout: 1
triggers:
  - name: ci
    type: simple
    runs:
      - name: only
        container: ${TEST_IMAGE}
        host-tag: ${hostTag}
        script: s
scripts:
  s: echo hi
`;

async function scrape(url: string) {
  const res = await fetch(`${url}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics: ${res.status}`);
  if (!res.headers.get("content-type")?.startsWith("text/plain; version=0.0.4")) throw new Error(`content-type ${res.headers.get("content-type")}`);
  const text = await res.text();
  return { ...parsePrometheus(text), text };
}

for (const dialect of dialects) {
  test(`${dialect}: /metrics reports queue depth, runs by status, dispatch latency, workers, log bytes and RPCs`, async (t) => {
    const server = await startTestServer(t, dialect);
    const projects = apiClient(ProjectService, server.url);
    const builds = apiClient(BuildService, server.url);
    await projects.createProject({ name: "served", definitionYaml: project("metrics-*") });
    await projects.createProject({ name: "waiting", definitionYaml: project("nowhere") });

    let workerError: unknown;
    const worker = await startMiniWorker(t, server.url, "mw", ["metrics-a"], 1, (a, client) => {
      const ref = { runId: a.definition!.runId, runToken: a.runToken };
      void (async () => {
        await client.updateRun({ ...ref, status: Status.RUNNING });
        await client.appendLog({ ...ref, offset: 0n, data: Buffer.from("hello\n") });
        await client.appendLog({ ...ref, offset: 0n, data: Buffer.from("hello\n") }); // a resend: not new bytes
        await client.appendLog({ ...ref, offset: 6n, data: Buffer.from("bye\n") });
        await client.updateRun({ ...ref, status: Status.PASSED, message: "exit code 0" });
      })().catch((e: unknown) => { workerError = e; });
    });
    await worker.connected;
    await builds.triggerBuild({ project: "served" });
    await builds.triggerBuild({ project: "waiting" });
    await eventually(async () => {
      if (workerError) throw workerError;
      return (await builds.getBuild({ project: "served", number: 1 })).build?.status === Status.PASSED ? true : undefined;
    });
    const missing = await projects.getProject({ name: "nope" }).catch((e: unknown) => ConnectError.from(e));
    t.is((missing as ConnectError).code, Code.NotFound);

    // The build's completion is counted from its status event, which follows the commit the API already shows.
    const m = await eventually(async () => {
      const s = await scrape(server.url);
      return s.get("jobserv_builds_completed_total", { status: "passed" }) === 1 ? s : undefined;
    }, 10_000, "the completed build to be counted");
    t.deepEqual(Object.fromEntries([...m.types].filter(([name]) => name.startsWith("jobserv_"))), {
      jobserv_queued_runs: "gauge", jobserv_runs: "gauge", jobserv_connected_workers: "gauge", jobserv_surge: "gauge",
      jobserv_dispatch_latency_seconds: "histogram", jobserv_log_bytes_ingested_total: "counter", jobserv_rpc_duration_seconds: "histogram",
      jobserv_store_up: "gauge", jobserv_store_errors_total: "counter", jobserv_webhook_deliveries_total: "counter", jobserv_builds_completed_total: "counter",
    });
    t.is(promtoolProblems(m.text), "", "promtool check metrics is clean");
    t.like(Object.fromEntries(m.types), { process_cpu_seconds_total: "counter", process_resident_memory_bytes: "gauge", nodejs_eventloop_lag_seconds: "gauge", nodejs_heap_size_used_bytes: "gauge" }, "process and Node.js defaults");
    // The worker's host tag has an empty queue: reported as 0, not left out.
    t.deepEqual(m.all("jobserv_queued_runs").map((s) => [s.labels["host_tag"], s.value]), [["metrics-a", 0], ["nowhere", 1]]);
    t.is(m.get("jobserv_store_up"), 1);
    t.deepEqual(Object.fromEntries(m.all("jobserv_builds_completed_total").map((s) => [s.labels["status"], s.value])), { passed: 1, failed: 0 });
    t.deepEqual(Object.fromEntries(m.all("jobserv_runs").map((s) => [s.labels["status"], s.value])),
      { queued: 1, running: 0, uploading: 0, cancelling: 0, passed: 1, failed: 0 });
    t.is(m.get("jobserv_connected_workers"), 1);
    t.is(m.get("jobserv_log_bytes_ingested_total"), 10, "6 + 4 bytes; the resend is not counted");

    t.is(m.get("jobserv_dispatch_latency_seconds_count"), 1);
    t.is(m.get("jobserv_dispatch_latency_seconds_bucket", { le: "+Inf" }), 1);
    t.true(m.get("jobserv_dispatch_latency_seconds_sum") >= 0);
    const buckets = m.all("jobserv_dispatch_latency_seconds_bucket").map((s) => s.value);
    t.deepEqual(buckets, [...buckets].sort((a, b) => a - b), "cumulative buckets");

    const rpcs = (method: string, code: string) => m.get("jobserv_rpc_duration_seconds_count", { method, code });
    t.is(rpcs("jobserv.v1.ProjectService/GetProject", "NotFound"), 1);
    t.is(rpcs("jobserv.v1.ProjectService/CreateProject", "OK"), 2);
    t.is(rpcs("jobserv.v1.BuildService/TriggerBuild", "OK"), 2);
    t.is(rpcs("jobserv.v1.WorkerService/AppendLog", "OK"), 3);
    t.is(rpcs("jobserv.v1.WorkerService/UpdateRun", "OK"), 2);
    t.true(m.get("jobserv_rpc_duration_seconds_bucket", { method: "jobserv.v1.ProjectService/GetProject", code: "NotFound", le: "+Inf" }) === 1);

    // The worker goes away: the gauge drops, and its Pull stream is timed once it ended.
    worker.stop();
    const after = await eventually(async () => {
      const s = await scrape(server.url);
      return s.get("jobserv_connected_workers") === 0 && s.all("jobserv_rpc_duration_seconds_count").some((x) => x.labels["method"] === "jobserv.v1.WorkerService/Pull") ? s : undefined;
    }, 10_000, "the worker's stream to end");
    const pulls = after.all("jobserv_rpc_duration_seconds_count").filter((x) => x.labels["method"] === "jobserv.v1.WorkerService/Pull");
    t.deepEqual(pulls.map((p) => [p.labels["code"], p.value]), [["Canceled", 1]], "a stream the client left is Canceled");
  });
}

test("the Prometheus parser is strict", (t) => {
  t.throws(() => parsePrometheus("x 1\n"), { message: /undeclared family/ });
  t.throws(() => parsePrometheus("# TYPE x gauge\nx{a=\"1\" 1\n"), { message: /bad sample|bad labels/ });
  t.throws(() => parsePrometheus("# TYPE x gauge\nx one\n"), { message: /bad value/ });
  t.throws(() => parsePrometheus("# TYPE x gauge\nx{a=\"1\",a=\"2\"} 1\n"), { message: /duplicate label/ });
  const ok = parsePrometheus("# HELP h_seconds x\n# TYPE h_seconds histogram\nh_seconds_bucket{le=\"+Inf\",m=\"a\\\"b\"} 2\nh_seconds_sum 0.5\nh_seconds_count 2\n");
  t.is(ok.get("h_seconds_bucket", { m: "a\"b" }), 2);
});
