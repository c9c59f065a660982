// The artifact upload route and ReportTests against a real server on both
// dialects, driven by a minimal worker that holds a real run token: limits
// per file and per run (declared and streamed sizes), replacement on a
// repeated PUT, path checks, token checks, and idempotent test reports.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import test from "ava";
import { RunService } from "../../../gen/jobserv/v1/run_pb.js";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import type { Assignment } from "../../../gen/jobserv/v1/worker_pb.js";
import { applyProject, trigger } from "../../support/builds.js";
import { apiClient } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { startMiniWorker } from "../../support/mini-worker.js";
import { TEST_IMAGE } from "../../support/projects.js";
import { startTestServer } from "../../support/server.js";
import { adminHeaders } from "../../support/auth.js";

const YAML = `
timeout: 1
triggers:
  - name: t
    type: simple
    runs:
      - name: r
        container: ${TEST_IMAGE}
        host-tag: up-*
        script: s
scripts:
  s: |
    #!/bin/sh
    true
`;

/** PUT with a body sent in chunks and no content-length (the size is unknown up front). */
function putChunked(url: string, headers: Record<string, string>, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "PUT", headers: { ...headers, "transfer-encoding": "chunked" } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    for (let i = 0; i < body.length; i += 4096) req.write(body.subarray(i, i + 4096));
    req.end();
  });
}

for (const dialect of dialects) {
  test(`${dialect}: uploads are limited, replaced, path-checked and token-checked; test reports replace each other`, async (t) => {
    const artifactsDir = mkdtempSync(path.join(os.tmpdir(), "jobserv-up-"));
    t.teardown(() => rmSync(artifactsDir, { recursive: true, force: true }));
    const server = await startTestServer(t, dialect, { artifactsDir, artifactMaxFileBytes: 100, artifactMaxRunBytes: 150 });
    let assigned: (a: Assignment) => void = () => {};
    const got = new Promise<Assignment>((resolve) => { assigned = resolve; });
    const worker = await startMiniWorker(t, server.url, `up-${dialect}`, ["up-1"], 1, (a) => assigned(a));
    await worker.connected;
    await applyProject(server.url, "up", YAML);
    const n = await trigger(server.url, "up", "t");
    const { definition, runToken } = await got;
    const runId = definition!.runId;
    await worker.client.updateRun({ runId, runToken, status: Status.RUNNING, message: "" });

    const base = `${server.url}/worker/runs/${runId}/artifacts`;
    const auth = { "jobserv-worker": `up-${dialect}`, "jobserv-run-token": runToken };
    const put = (p: string, body: Buffer | string, headers: Record<string, string> = auth) => fetch(`${base}/${p}`, { method: "PUT", headers, body });
    const runs = apiClient(RunService, server.url);
    const listed = async () => (await runs.listArtifacts({ ref: { project: "up", buildNumber: n, run: "r" } })).artifacts.map((a) => [a.path, Number(a.size)]);
    const download = (p: string) => fetch(`${server.url}/projects/up/builds/${n}/runs/r/${p}`, { headers: adminHeaders });

    t.is((await put("a/b.txt", "x".repeat(60))).status, 200);
    t.is((await put("a/b.txt", "y".repeat(50))).status, 200, "a repeated PUT replaces");
    t.deepEqual(await listed(), [["a/b.txt", 50]]);
    t.is(await (await download("a/b.txt")).text(), "y".repeat(50));

    const tooBig = await put("c.txt", "z".repeat(101));
    t.is(tooBig.status, 413, "over the per-file limit (declared size)");
    t.regex(((await tooBig.json()) as { error: string }).error, /limit of 100 bytes/);
    t.is(await putChunked(`${base}/c.txt`, auth, Buffer.alloc(256 * 1024, 1)), 413, "over the per-file limit (streamed)");
    t.is((await put("d.txt", "d".repeat(99))).status, 200, "50 + 99 bytes fit the run's 150");
    t.is((await put("e.txt", "ee")).status, 413, "over the run's remaining budget");
    t.is((await put("a/b.txt", "w".repeat(51))).status, 200, "replacing a file counts only its new size");
    t.deepEqual(await listed(), [["a/b.txt", 51], ["d.txt", 99]]);
    t.deepEqual(readdirSync(path.join(artifactsDir, "~incoming")), [], "refused uploads leave no partial files");
    t.is(await (await download("c.txt")).status, 404);

    for (const bad of ["..%2Fescape", "a%2F..%2F..%2Fescape", "%2Fabs", "back%5Cslash", "nul%00", "console.log", ".rundef.json", "dir%2F"]) {
      t.is((await put(bad, "1")).status, 400, bad);
    }
    t.is((await put("f.txt", "1", { "jobserv-worker": `up-${dialect}`, "jobserv-run-token": "wrong" })).status, 403);
    t.is((await put("f.txt", "1", { "jobserv-worker": "someone-else", "jobserv-run-token": runToken })).status, 403);
    t.is((await put("f.txt", "1", {})).status, 401);
    t.is((await fetch(`${server.url}/worker/runs/999999/artifacts/f.txt`, { method: "PUT", headers: auth, body: "1" })).status, 404);

    const report = (status: Status) => worker.client.reportTests({ runId, runToken, tests: [
      { name: "suite", context: "junit.xml skipped=0", status, results: [
        { name: "one", context: "c", status: Status.PASSED, output: "" },
        { name: "two", context: "c", status, output: status === Status.FAILED ? "boom" : "" },
      ] },
    ] });
    await report(Status.FAILED);
    await report(Status.PASSED);
    const { tests } = await runs.listTests({ ref: { project: "up", buildNumber: n, run: "r" } });
    t.deepEqual(tests.map((x) => [x.name, x.status, x.results.map((r) => [r.name, r.status, r.output])]),
      [["suite", Status.PASSED, [["one", Status.PASSED, ""], ["two", Status.PASSED, ""]]]], "the second report replaced the first");
    const bad = await t.throwsAsync(worker.client.reportTests({ runId, runToken, tests: [{ name: "x", context: "", status: Status.RUNNING, results: [] }] }));
    t.is(ConnectError.from(bad).code, Code.InvalidArgument);

    await worker.client.updateRun({ runId, runToken, status: Status.PASSED, message: "exit code 0" });
    t.is((await put("late.txt", "1")).status, 403, "a complete run's token no longer works");
    t.is((await download("d.txt")).status, 200, "artifacts stay downloadable");
  });
}
