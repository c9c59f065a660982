// The simulator runs a run definition through the same runner code without a
// server: a run's downloaded .rundef.json reproduces its output locally, and
// `exec` runs a run straight from a project file.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import test, { type ExecutionContext } from "ava";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { applyProject, readLog, trigger, waitForBuild } from "../support/builds.js";
import { splitStanza, TEST_IMAGE } from "../support/projects.js";
import { startTestServer } from "../support/server.js";
import { spawnWorker } from "../support/worker-process.js";
import { adminHeaders } from "../support/auth.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

function jobserv(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, "cli/jobserv.js"), ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
    child.once("exit", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

function tempDir(t: ExecutionContext): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "jobserv-sim-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const yaml = `
timeout: 1
params: {WHO: world}
triggers:
  - name: t
    type: simple
    runs:
      - name: greet
        container: ${TEST_IMAGE}
        host-tag: sim
        script: greet
      - name: broken
        container: ${TEST_IMAGE}
        host-tag: sim
        script: broken
scripts:
  greet: |
    #!/bin/sh
    echo "hello $WHO from $H_PROJECT/$H_BUILD/$H_RUN"
    echo "token is $(cat /secrets/token)" >&2
    echo "done" > /archive/result.txt
  broken: |
    #!/bin/sh
    echo "broken on purpose"
    exit 3
`;

test("a downloaded .rundef.json reproduces the run's output locally", async (t) => {
  const server = await startTestServer(t, "sqlite");
  const worker = spawnWorker(t, { url: server.url, name: "sim-worker", tags: ["sim"], protocol: "connect" });
  await applyProject(server.url, "simp", yaml, { trigger: "t", values: { token: "s3cr3t-value" } });
  const n = await trigger(server.url, "simp", "t");
  const build = await waitForBuild(server.url, "simp", n, worker.output);
  t.is(build.runs.find((r) => r.name === "greet")?.status, Status.PASSED);
  const { output } = splitStanza(await readLog(server.url, "simp", n, "greet"));
  // Runner lines ("== ...") follow what the container printed.
  const printed = (log: string) => log.split("\n").filter((l) => !l.startsWith("== ")).join("\n");
  t.is(printed(output), `hello world from simp/${n}/greet\ntoken is ***\n`);

  const dir = tempDir(t);
  const rundef = await (await fetch(`${server.url}/projects/simp/builds/${n}/runs/greet/.rundef.json`, { headers: adminHeaders })).text();
  t.false(rundef.includes("s3cr3t-value"), "the downloaded definition has no secret values");
  writeFileSync(path.join(dir, "rundef.json"), rundef);

  const refused = await jobserv(["simulate", "rundef.json", "--workdir", "sim", "--network", "none"], dir);
  t.is(refused.code, 2);
  t.regex(refused.stderr, /secrets without a value: token/);

  const sim = await jobserv(["simulate", "rundef.json", "--workdir", "sim", "--network", "none", "--secret", "token=s3cr3t-value"], dir);
  t.is(sim.code, 0, sim.stderr);
  t.is(printed(sim.stdout), printed(output), "same output as the run on the worker");
  t.regex(sim.stdout, /== artifact \(not uploaded, simulated\): result\.txt/);
  t.regex(sim.stderr, /== PASSED: exit code 0/);
});

test("exec runs one run of a local project file, with params, and exits with its verdict", async (t) => {
  const dir = tempDir(t);
  writeFileSync(path.join(dir, "local.yml"), yaml);
  const ok = await jobserv(["exec", "local.yml", "--run", "greet", "-p", "WHO=you", "-s", "token=abcd1234", "--workdir", "w", "--network", "none"], dir);
  t.is(ok.code, 0, ok.stderr);
  t.true(ok.stdout.startsWith("hello you from local/0/greet\ntoken is ***\n"), ok.stdout);
  const bad = await jobserv(["exec", "local.yml", "--run", "broken", "--workdir", "w", "--network", "none"], dir);
  t.is(bad.code, 1);
  t.is(bad.stdout, "broken on purpose\n");
  t.regex(bad.stderr, /== FAILED: exit code 3/);
});
