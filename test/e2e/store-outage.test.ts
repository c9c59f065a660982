// Store outage: the MariaDB under a server is stopped mid-run (cleanly, and
// by SIGKILL) and started again. Meanwhile the API answers UNAVAILABLE (not
// INTERNAL) and /readyz 503; afterwards the server recovers by itself, the
// worker's retried calls land, and the run PASSES with its console.log
// byte-identical to the container output. Uses a private mariadbd, never the
// shared one.
import test from "ava";
import { Code, ConnectError } from "@connectrpc/connect";
import { BuildService } from "../../gen/jobserv/v1/build_pb.js";
import { RunService } from "../../gen/jobserv/v1/run_pb.js";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { applyProject, readLog, trigger, waitForBuild } from "../support/builds.js";
import { apiClient, eventually } from "../support/clients.js";
import { parsePrometheus } from "../support/prometheus.js";
import { PrivateMariaDb } from "../support/private-mariadb.js";
import { countingProject, splitStanza } from "../support/projects.js";
import { ServerProcess } from "../support/server-process.js";
import { spawnWorker } from "../support/worker-process.js";

const project = (tag: string) => countingProject({ tag, lines: 120, text: "printed while the store comes and goes", pause: { every: 1, seconds: 0.05 } });

/** How long the database stays down: the fault being simulated, not a wait for a condition. */
const OUTAGE_MS = 2_000;

for (const signal of ["SIGTERM", "SIGKILL"] as const) {
  test(`MariaDB stopped by ${signal} mid-run: UNAVAILABLE meanwhile, then the run passes with its log intact`, async (t) => {
    const db = await PrivateMariaDb.start(t);
    const server = await ServerProcess.start(t, db.url);
    const tag = `outage-${signal.toLowerCase()}`;
    const worker = spawnWorker(t, { url: server.url, name: tag, tags: [tag], protocol: "connect" });
    const { yaml, expected } = project(tag);
    await applyProject(server.url, "outage", yaml);
    const n = await trigger(server.url, "outage", "t");
    const why = () => `worker: ${worker.output()}\nserver: ${server.output()}\nmariadb: ${db.errorLog()}`;
    const runs = apiClient(RunService, server.url);
    await eventually(async () => {
      const run = (await runs.getRun({ ref: { project: "outage", buildNumber: n, run: "count" } })).run;
      return run && Number(run.logSize) > 1_000 ? true : undefined;
    }, 30_000, () => `the run to be under way. ${why()}`);

    await db.stop(signal);
    const err = await t.throwsAsync(apiClient(BuildService, server.url).getBuild({ project: "outage", number: n }));
    t.true(err instanceof ConnectError);
    t.is((err as ConnectError).code, Code.Unavailable, `during the outage: ${err?.message}`);
    t.is((await fetch(`${server.url}/readyz`)).status, 503);
    const down = parsePrometheus(await (await fetch(`${server.url}/metrics`)).text());
    t.is(down.get("jobserv_store_up"), 0, "the scrape still answers, and says the store is down");
    t.true(down.get("jobserv_store_errors_total") > 0, "failed statements and connections are counted");
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    await db.restart();

    const build = await waitForBuild(server.url, "outage", n, why, 60_000);
    t.is(build.status, Status.PASSED);
    t.is(build.runs[0]?.status, Status.PASSED, build.runs[0]?.statusMessage);
    const { output } = splitStanza(await readLog(server.url, "outage", n, "count"));
    t.is(output, expected, "console.log is byte-identical to the container output");
    t.is((await fetch(`${server.url}/readyz`)).status, 200);
    // Every RPC the outage touched answered UNAVAILABLE, the worker's included (it retried them); none INTERNAL.
    const after = parsePrometheus(await (await fetch(`${server.url}/metrics`)).text());
    t.is(after.get("jobserv_store_up"), 1);
    const calls = after.all("jobserv_rpc_duration_seconds_count");
    const internal = calls.filter((s) => s.labels["code"] === "Internal");
    t.deepEqual(internal.map((s) => s.labels["method"]), [], "no call answered INTERNAL");
    const unavailable = calls.filter((s) => s.labels["code"] === "Unavailable").map((s) => s.labels["method"]);
    t.true(unavailable.some((m) => m?.startsWith("jobserv.v1.WorkerService/")), `the worker met the outage: ${unavailable.join(", ")}`);
  });
}
