// `jobserv admin retention` sets a project's policy and `jobserv admin prune
// --dry-run` lists what the retention job would delete, deleting nothing;
// without --dry-run it deletes. The CLI as a child process against a real server.
import { execFile } from "node:child_process";
import path from "node:path";
import test from "ava";
import { BuildService } from "../../gen/jobserv/v1/build_pb.js";
import { ProjectService } from "../../gen/jobserv/v1/project_pb.js";
import { TEST_ADMIN_TOKEN } from "../support/auth.js";
import { apiClient } from "../support/clients.js";
import { startTestServer } from "../support/server.js";

const CLI = path.resolve(import.meta.dirname, "../../cli/jobserv.js");
const YAML = "timeout: 1\ntriggers:\n  - name: t\n    type: simple\n    runs:\n      - name: r\n        container: img\n        script: s\nscripts:\n  s: \"#!/bin/sh\\ntrue\\n\"\n";

function cli(url: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { PATH: process.env["PATH"], HOME: "/nonexistent", JOBSERV_TOKEN: TEST_ADMIN_TOKEN, JOBSERV_URL: url };
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }));
  });
}

test("admin retention, then prune --dry-run lists and keeps; prune deletes", async (t) => {
  const server = await startTestServer(t, "sqlite");
  await apiClient(ProjectService, server.url).createProject({ name: "old", definitionYaml: YAML });
  const builds = apiClient(BuildService, server.url);
  for (let i = 0; i < 3; i++) await builds.createExternalBuild({ project: "old", triggerName: "ext", runs: [{ name: "x" }] });

  const set = await cli(server.url, "admin", "retention", "old", "--keep-builds", "1");
  t.is(set.code, 0, set.stderr);
  t.regex(set.stdout, /old: keep 1 newest builds/);
  const dry = await cli(server.url, "admin", "prune", "--dry-run");
  t.is(dry.code, 0, dry.stderr);
  t.deepEqual(dry.stdout.trim().split("\n"), [
    "would delete old#1: 1 runs, artifacts 0.0 MiB, moved logs 0.0 MiB", "would delete old#2: 1 runs, artifacts 0.0 MiB, moved logs 0.0 MiB", "2 builds to delete",
  ]);
  const json = JSON.parse((await cli(server.url, "admin", "prune", "--dry-run", "--json", "--project", "old")).stdout) as { builds: { number: number }[] };
  t.deepEqual(json.builds.map((b) => b.number), [1, 2]);
  t.is((await builds.listBuilds({ project: "old" })).builds.length, 3, "a dry run deletes nothing");

  const real = await cli(server.url, "admin", "prune");
  t.is(real.code, 0, real.stderr);
  t.regex(real.stdout, /2 builds deleted/);
  t.deepEqual((await builds.listBuilds({ project: "old" })).builds.map((b) => b.number), [3]);
  t.is((await cli(server.url, "admin", "bogus")).code, 2, "usage");
});
