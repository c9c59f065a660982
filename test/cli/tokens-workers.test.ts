// `jobserv tokens` and `jobserv workers` spawned as child processes against a
// real server: a token created by the CLI works (and only within its scope)
// until revoked; a real worker process registers with its host's facts, which
// `workers list` shows, and is enlisted, disabled and deleted through the CLI.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statfsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import test, { type ExecutionContext } from "ava";
import { TEST_ADMIN_TOKEN } from "../support/auth.js";
import { applyProject } from "../support/builds.js";
import { eventually } from "../support/clients.js";
import { TEST_IMAGE } from "../support/projects.js";
import { startTestServer } from "../support/server.js";
import { spawnWorker } from "../support/worker-process.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const CLI = path.join(ROOT, "cli/jobserv.js");
const YAML = `timeout: 1\ntriggers:\n  - name: ci\n    type: simple\n    runs:\n      - name: only\n        container: ${TEST_IMAGE}\n        host-tag: x\n        script: s\nscripts:\n  s: echo hi\n`;

interface Result { code: number; stdout: string; stderr: string }

function tempDir(t: ExecutionContext, prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function cli(t: ExecutionContext, url: string, token: string, ...args: string[]): Promise<Result> {
  const env = { PATH: process.env["PATH"], HOME: tempDir(t, "jobserv-cli-home-"), JOBSERV_URL: url, JOBSERV_TOKEN: token };
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, env }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

test("tokens create, list, revoke: the secret is printed once and works within its scope until revoked", async (t) => {
  const server = await startTestServer(t, "sqlite");
  const admin = (...args: string[]) => cli(t, server.url, TEST_ADMIN_TOKEN, ...args);
  await applyProject(server.url, "p", YAML);
  await applyProject(server.url, "q", YAML);

  const created = await admin("tokens", "create", "ci-reader", "--scope", "read", "--project", "p");
  t.is(created.code, 0, created.stderr);
  const secret = created.stdout.trim();
  t.is(created.stdout, `${secret}\n`, "stdout is the secret alone");
  t.regex(created.stderr, /^token \d+ \(ci-reader, read on p\) created/);
  const reader = (...args: string[]) => cli(t, server.url, secret, ...args);
  t.like(await reader("project", "show", "p", "--json"), { code: 0 });
  t.is((await reader("project", "show", "q")).code, 3, "a token limited to p does not see q");
  const denied = await reader("tokens", "list");
  t.is(denied.code, 2, "a read token may not list tokens");
  t.regex(denied.stderr, /^jobserv tokens: .*permission/i);

  const asJson = JSON.parse((await admin("tokens", "create", "deployer", "--scope", "trigger", "--json")).stdout) as { token: { id: string; name: string; scope: string }; secret: string };
  t.like(asJson.token, { name: "deployer", scope: "SCOPE_TRIGGER" });
  t.true(asJson.secret.length > 16);

  const list = await admin("tokens", "list");
  t.is(list.code, 0);
  const lines = list.stdout.trimEnd().split("\n");
  t.regex(lines[0]!, /^ID\s+NAME\s+SCOPE\s+PROJECTS\s+CREATED\s+REVOKED$/);
  const rows = lines.slice(1).map((l) => l.split(/\s{2,}/));
  const readerRow = rows.find((r) => r[1] === "ci-reader")!;
  t.deepEqual([readerRow[2], readerRow[3], readerRow.at(-1)], ["read", "p", "-"]);
  t.deepEqual(rows.find((r) => r[1] === "deployer")!.slice(2, 4), ["trigger", "*"]);
  t.false(list.stdout.includes(secret), "secrets are never listed");
  const listed = JSON.parse((await admin("tokens", "list", "--json")).stdout) as { tokens: { id: string; name: string }[] };
  const id = listed.tokens.find((x) => x.name === "ci-reader")!.id;
  t.is(readerRow[0], id);

  t.like(await admin("tokens", "revoke", id), { code: 0, stdout: `token ${id} revoked\n` });
  // The instance that revoked drops its cached principal at once (other instances within 5 s).
  const revoked = await reader("project", "show", "p");
  t.is(revoked.code, 2, "a revoked token is refused");
  t.regex(revoked.stderr, /unauthenticated|token/i);
  const after = JSON.parse((await admin("tokens", "list", "--json")).stdout) as { tokens: { name: string; revokeTime?: string }[] };
  t.truthy(after.tokens.find((x) => x.name === "ci-reader")!.revokeTime);

  t.is((await admin("tokens", "revoke", "987654")).code, 3, "an unknown token id");
  t.is((await admin("tokens", "create", "x", "--scope", "root")).code, 2, "an unknown scope");
  t.is((await admin("tokens", "create", "--scope", "read")).code, 2, "a name is required");
  t.is((await admin("tokens", "revoke", "abc")).code, 2);
  t.is((await admin("tokens", "frobnicate")).code, 2);
});

interface ListedWorker {
  name: string; enlisted?: boolean; online?: boolean; hostTags?: string[]; concurrency?: number; activeRuns?: number; allowedHostTags?: string[];
  facts?: { distro?: string; cpuType?: string; cpuTotal?: number; memTotalBytes?: string; version?: string; diskFreeBytes?: string; memFreeBytes?: string; loadAvg1m?: number };
}

test("workers list shows a real worker's facts; enlist, disable, delete", async (t) => {
  const server = await startTestServer(t, "sqlite");
  const admin = (...args: string[]) => cli(t, server.url, TEST_ADMIN_TOKEN, ...args);
  const workerDir = tempDir(t, "jobserv-worker-");
  // No registration secret: the worker registers but waits to be enlisted.
  const worker = spawnWorker(t, { url: server.url, name: "facts-worker", tags: ["amd", "big"], protocol: "connect", concurrency: 3,
    env: { JOBSERV_WORKER_SECRET: "", JOBSERV_WORKER_DIR: workerDir } });
  const listWorkers = async () => (JSON.parse((await admin("workers", "list", "--json")).stdout) as { workers?: ListedWorker[] }).workers ?? [];
  const w = await eventually(async () => (await listWorkers()).find((x) => x.name === "facts-worker" && x.online), 30_000, () => `the worker to register: ${worker.output()}`);

  const distro = /^PRETTY_NAME=(.*)$/m.exec(readFileSync("/etc/os-release", "utf8"))![1]!.replace(/^"(.*)"$/, "$1");
  const { diskFreeBytes, memFreeBytes, loadAvg1m, ...fixed } = w.facts!;
  t.deepEqual(fixed, {
    distro, cpuType: os.cpus()[0]!.model.trim(), cpuTotal: os.cpus().length, memTotalBytes: String(os.totalmem()), version: "jobserv-ts/0.1",
  });
  // The changing facts: near what this host says now (the worker shares its filesystem and memory).
  const free = statfsSync(workerDir);
  t.true(Math.abs(Number(diskFreeBytes) - free.bavail * free.bsize) < 1024 ** 3, `disk free ${diskFreeBytes} vs ${free.bavail * free.bsize}`);
  t.true(Number(memFreeBytes) > 0 && Number(memFreeBytes) <= os.totalmem(), `mem free ${memFreeBytes}`);
  t.true(typeof loadAvg1m === "number" && loadAvg1m >= 0 && loadAvg1m < 10 * os.cpus().length, `load ${loadAvg1m}`);
  t.like(w, { enlisted: undefined, hostTags: ["amd", "big"], concurrency: 3 });

  const table = await admin("workers", "list");
  t.is(table.code, 0);
  const [header, row] = table.stdout.trimEnd().split("\n");
  t.regex(header!, /^NAME\s+ENLISTED\s+ONLINE\s+HOST-TAGS\s+CONCURRENCY\s+ACTIVE\s+DISTRO\s+CPU\s+MEMORY\s+DISK-FREE\s+LOAD\s+VERSION\s+TAKES-RUNS$/);
  const cells = row!.split(/\s{2,}/);
  t.deepEqual(cells.slice(0, 6), ["facts-worker", "no", "yes", "amd,big", "3", "0"]);
  t.is(cells[6], distro);
  t.is(cells[7], `${os.cpus().length}x ${os.cpus()[0]!.model.trim()}`);
  t.regex(cells[8]!, /^\d+(\.\d)?GiB$/);
  t.regex(cells[9]!, /^\d+(\.\d)?[KMGT]iB$/);
  t.regex(cells[10]!, /^\d+\.\d\d$/);
  t.is(cells[11], "jobserv-ts/0.1");
  t.is(cells[12], "no: not enlisted", "why it takes no runs");

  t.like(await admin("workers", "enlist", "facts-worker", "--allow", "amd"), { code: 0, stdout: "worker facts-worker enlisted (host tags amd)\n" });
  t.like((await listWorkers())[0], { name: "facts-worker", enlisted: true, allowedHostTags: ["amd"] });
  const disabled = JSON.parse((await admin("workers", "disable", "facts-worker", "--json")).stdout) as ListedWorker;
  t.like(disabled, { name: "facts-worker", enlisted: undefined });
  t.like(await admin("workers", "delete", "facts-worker"), { code: 0, stdout: "worker facts-worker deleted\n" });
  t.false((await listWorkers()).some((x) => x.name === "facts-worker" && x.enlisted));

  t.is((await admin("workers", "enlist", "nope")).code, 3, "an unknown worker");
  t.is((await admin("workers", "delete", "nope")).code, 3);
  t.is((await admin("workers", "enlist")).code, 2, "a name is required");
  t.is((await admin("workers", "disable", "x", "--allow", "a")).code, 2, "--allow is for enlist");
  t.is((await cli(t, server.url, "", "workers", "list")).code, 2, "no token");
});
