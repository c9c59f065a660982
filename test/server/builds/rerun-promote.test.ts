// Rerun and promote through a real server on both dialects, driven partly by
// the spawned `jobserv` CLI: a FAILED run rerun goes back to QUEUED with its
// log, tests, artifact files and worker cleared, runs again and passes; only a
// complete run can be rerun and only a PASSED build promoted
// (FAILED_PRECONDITION, CLI exit 2). Deleting the project removes its files.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import test from "ava";
import { BuildService } from "../../../gen/jobserv/v1/build_pb.js";
import { ProjectService } from "../../../gen/jobserv/v1/project_pb.js";
import { RunService } from "../../../gen/jobserv/v1/run_pb.js";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { TEST_ADMIN_TOKEN } from "../../support/auth.js";
import { applyProject, readLog, trigger, waitForBuild } from "../../support/builds.js";
import { apiClient, eventually } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { startMiniWorker } from "../../support/mini-worker.js";
import { startTestServer } from "../../support/server.js";

const YAML = `timeout: 1
triggers:
  - name: t
    type: simple
    runs:
      - name: r
        container: img
        host-tag: rerun
        script: s
  - name: stuck
    type: simple
    runs:
      - name: q
        container: img
        host-tag: nobody-has-this
        script: s
scripts:
  s: "#!/bin/sh\\ntrue\\n"
`;

const ROOT = path.resolve(import.meta.dirname, "../../..");

function cli(url: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { PATH: process.env["PATH"], HOME: ROOT, JOBSERV_TOKEN: TEST_ADMIN_TOKEN, JOBSERV_URL: url };
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(ROOT, "cli/jobserv.js"), ...args], { cwd: ROOT, env }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

async function code(call: () => Promise<unknown>): Promise<Code | "ok"> {
  try { await call(); return "ok"; } catch (e) { return ConnectError.from(e).code; }
}

for (const dialect of dialects) {
  test(`${dialect}: rerun a failed run, then promote the passed build`, async (t) => {
    const artifactsDir = mkdtempSync(path.join(os.tmpdir(), "jobserv-rerun-artifacts-"));
    t.teardown(() => rmSync(artifactsDir, { recursive: true, force: true }));
    const server = await startTestServer(t, dialect, { artifactsDir });
    await applyProject(server.url, "rp", YAML);
    let attempt = 0;
    await startMiniWorker(t, server.url, "rerun-worker", ["rerun"], 1, (a, client) => {
      const n = ++attempt;
      const ids = { runId: a.definition!.runId, runToken: a.runToken };
      void (async () => {
        await client.updateRun({ ...ids, status: Status.RUNNING });
        await client.appendLog({ ...ids, offset: 0n, data: Buffer.from(`attempt ${n}\n`) });
        const put = await fetch(`${server.url}/worker/runs/${ids.runId}/artifacts/out-${n}.txt`, {
          method: "PUT", body: `made by attempt ${n}`, headers: { "jobserv-worker": "rerun-worker", "jobserv-run-token": ids.runToken },
        });
        if (put.status !== 200) throw new Error(`upload: ${put.status}`);
        if (n === 1) {
          await client.reportTests({ ...ids, tests: [{ name: "unit", status: Status.FAILED, results: [{ name: "a", status: Status.FAILED, output: "boom" }] }] });
        }
        await client.updateRun({ ...ids, status: n === 1 ? Status.FAILED : Status.PASSED, message: `attempt ${n}` });
      })();
    });
    const builds = apiClient(BuildService, server.url);
    const runs = apiClient(RunService, server.url);
    const ref = { project: "rp", buildNumber: 1, run: "r" };

    const number = await trigger(server.url, "rp", "t");
    t.is((await waitForBuild(server.url, "rp", number)).status, Status.FAILED);
    t.is((await runs.listTests({ ref })).tests.length, 1);
    t.is(await code(() => builds.promoteBuild({ project: "rp", number, name: "v0" })), Code.FailedPrecondition, "a FAILED build is not promoted");

    const rerun = await cli(server.url, "rerun", "rp", String(number), "r", "--json");
    t.is(rerun.code, 0, rerun.stderr);
    // The dispatcher is woken at once, so the worker may already hold it again.
    const queued = JSON.parse(rerun.stdout) as { status: string };
    t.true(["STATUS_QUEUED", "STATUS_RUNNING", "STATUS_PASSED"].includes(queued.status), queued.status);
    const done = await waitForBuild(server.url, "rp", number, () => `attempts ${attempt}`);
    t.is(done.status, Status.PASSED);
    t.is(attempt, 2);
    t.is(await readLog(server.url, "rp", number, "r"), "attempt 2\n", "the log restarted empty");
    t.is((await runs.listTests({ ref })).tests.length, 0, "the first attempt's tests are gone");
    t.deepEqual((await runs.listArtifacts({ ref })).artifacts.map((a) => a.path), ["out-2.txt"]);
    t.deepEqual(readdirSync(path.join(artifactsDir, "rp", String(number), "r")), ["out-2.txt"], "the first attempt's file is gone from storage");
    t.is((await runs.getRun({ ref })).run!.statusMessage, "attempt 2");
    t.is(await code(() => runs.rerunRun({ ref: { ...ref, run: "nope" } })), Code.NotFound);

    // A run that is not complete cannot be rerun; its build cannot be promoted.
    const stuck = await trigger(server.url, "rp", "stuck");
    t.is(await code(() => runs.rerunRun({ ref: { project: "rp", buildNumber: stuck, run: "q" } })), Code.FailedPrecondition);
    const refused = await cli(server.url, "promote", "rp", String(stuck), "--name", "v9");
    t.is(refused.code, 2);
    t.regex(refused.stderr, /only a PASSED build can be promoted/);

    const promoted = await cli(server.url, "promote", "rp", String(number), "--name", "v1.0", "--annotation", "first release");
    t.is(promoted.code, 0, promoted.stderr);
    t.regex(promoted.stdout, /PROMOTED as v1\.0/);
    const { build } = await builds.getBuild({ project: "rp", number });
    t.is(build!.status, Status.PROMOTED);
    t.is(build!.name, "v1.0");
    t.is(build!.annotation, "first release");
    t.is((await builds.listBuilds({ project: "rp" })).builds.find((b) => b.number === number)!.name, "v1.0");
    t.is(await code(() => builds.promoteBuild({ project: "rp", number, name: "v2" })), Code.FailedPrecondition, "promoted once only");
    t.is(await code(() => builds.promoteBuild({ project: "rp", number, name: "" })), Code.InvalidArgument);
    await eventually(async () => (await runs.getRun({ ref })).run!.status === Status.PASSED || undefined, 5_000, "run still PASSED");

    await apiClient(ProjectService, server.url).deleteProject({ name: "rp" });
    t.false(existsSync(path.join(artifactsDir, "rp", String(number), "r", "out-2.txt")), "a deleted project's files are removed");
  });
}
