// `jobserv trigger --follow` rides the WatchBuild stream instead of polling
// GetBuild: behind a load balancer (a TCP forwarder) it follows the build on
// instance A without a single GetBuild there; when A shuts down (ending the
// stream) it opens the watch again on B and still prints every status and
// the verdict, exiting 0 for a PASSED build.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import test from "ava";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { TEST_ADMIN_TOKEN } from "../support/auth.js";
import { applyProject } from "../support/builds.js";
import { eventually } from "../support/clients.js";
import { startMiniWorker } from "../support/mini-worker.js";
import { parsePrometheus } from "../support/prometheus.js";
import { startTestServer } from "../support/server.js";
import { startTcpProxy } from "../support/tcp-proxy.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const YAML = "timeout: 1\ntriggers:\n  - name: ci\n    type: simple\n    runs:\n      - name: only\n        container: img\n        host-tag: follow\n        script: s\nscripts:\n  s: echo hi\n";

async function rpcCount(url: string, method: string): Promise<number> {
  const metrics = parsePrometheus(await (await fetch(`${url}/metrics`)).text());
  return metrics.all("jobserv_rpc_duration_seconds_count").filter((s) => s.labels["method"] === method).reduce((n, s) => n + s.value, 0);
}

test("trigger --follow: WatchBuild, not polling; the watch moves to another instance when one shuts down", async (t) => {
  const a = await startTestServer(t, "sqlite");
  const b = await startTestServer(t, "sqlite", { databaseUrl: a.databaseUrl });
  const proxy = await startTcpProxy(t, a.port);
  await applyProject(a.url, "fol", YAML);
  let run: { runId: bigint; runToken: string } | undefined;
  const worker = await startMiniWorker(t, b.url, "follower", ["follow"], 1, (asg, client) => {
    const ref = { runId: asg.definition!.runId, runToken: asg.runToken };
    void client.updateRun({ ...ref, status: Status.RUNNING }).then(() => { run = ref; });
  });
  await worker.connected;

  const home = mkdtempSync(path.join(os.tmpdir(), "jobserv-cli-home-"));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  const child = spawn(process.execPath, [path.join(ROOT, "cli/jobserv.js"), "trigger", "fol", "--follow"],
    { cwd: ROOT, env: { PATH: process.env["PATH"], HOME: home, JOBSERV_TOKEN: TEST_ADMIN_TOKEN, JOBSERV_URL: proxy.url } });
  t.teardown(() => { child.kill(); });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));

  await eventually(async () => (stdout.includes("  only: RUNNING") ? true : undefined), 20_000, () => `the CLI to show the run RUNNING; stdout: ${stdout} stderr: ${stderr}`);
  await eventually(async () => run, 10_000, "the run to be acknowledged");
  t.is(await rpcCount(a.url, "jobserv.v1.BuildService/GetBuild"), 0, "no GetBuild polling");
  t.is(await rpcCount(a.url, "jobserv.v1.BuildService/WatchBuild"), 0, "the watch is still open (counted when it ends)");

  // A goes away (its watch streams end); the balancer sends new connections to B.
  proxy.retarget(b.port);
  await a.close();
  await worker.client.updateRun({ ...run!, status: Status.PASSED, message: "exit code 0" });
  t.is(await exited, 0, stderr);
  // Whether the first snapshot still had the run QUEUED depends on how fast B's dispatcher claimed it.
  t.deepEqual(stdout.split("\n").filter((l) => l !== "  only: QUEUED"), ["build fol#1: only", "  only: RUNNING", "  only: PASSED (exit code 0)", "build fol#1: PASSED", ""]);
  t.true(await rpcCount(b.url, "jobserv.v1.BuildService/WatchBuild") >= 1, "the watch was opened again on B");
});
