// `jobserv tokens list` and `jobserv workers list` show every token and
// worker, also beyond the API's default page of 100 (they follow
// next_page_token), in tables and as --json.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import test from "ava";
import { Scope, TokenService } from "../../gen/jobserv/v1/token_pb.js";
import { WorkerService } from "../../gen/jobserv/v1/worker_pb.js";
import { TEST_ADMIN_TOKEN } from "../support/auth.js";
import { apiClient } from "../support/clients.js";
import { startTestServer, WORKER_SECRET } from "../support/server.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

test("tokens list and workers list follow the pages to the end", async (t) => {
  const server = await startTestServer(t, "sqlite");
  const tokens = apiClient(TokenService, server.url);
  await Promise.all(Array.from({ length: 104 }, (_, i) => tokens.createToken({ name: `bulk-${i}`, scope: Scope.READ })));
  const workers = apiClient(WorkerService, server.url, "connect-h1", null);
  await Promise.all(Array.from({ length: 102 }, (_, i) => workers.registerWorker({
    name: `lab-${String(i).padStart(3, "0")}`, token: `a-long-enough-token-${i}`, hostTags: ["x"], concurrency: 1, registrationSecret: WORKER_SECRET,
  })));
  const home = mkdtempSync(path.join(os.tmpdir(), "jobserv-cli-home-"));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  const cli = (...args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [path.join(ROOT, "cli/jobserv.js"), ...args],
      { cwd: ROOT, env: { PATH: process.env["PATH"], HOME: home, JOBSERV_URL: server.url, JOBSERV_TOKEN: TEST_ADMIN_TOKEN }, maxBuffer: 1 << 24 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr }));
  });

  const tokenTable = await cli("tokens", "list");
  t.is(tokenTable.code, 0, tokenTable.stderr);
  const tokenLines = tokenTable.stdout.trimEnd().split("\n");
  t.regex(tokenLines[0]!, /^ID\s+NAME/);
  t.is(tokenLines.length, 1 + 105, "every token (104 and the admin's) under the header");
  t.is(new Set(tokenLines.slice(1).map((l) => l.split(/\s+/)[0])).size, 105, "each once");
  const tokenJson = JSON.parse((await cli("tokens", "list", "--json")).stdout) as { tokens: { name: string }[]; nextPageToken?: string };
  t.is(tokenJson.tokens.length, 105);
  t.is(tokenJson.nextPageToken, undefined, "one document, no page token");

  const workerTable = await cli("workers", "list");
  t.is(workerTable.code, 0, workerTable.stderr);
  const names = workerTable.stdout.trimEnd().split("\n").slice(1).map((l) => l.split(/\s+/)[0]);
  t.deepEqual(names, Array.from({ length: 102 }, (_, i) => `lab-${String(i).padStart(3, "0")}`));
  const workerJson = JSON.parse((await cli("workers", "list", "--json")).stdout) as { workers: unknown[] };
  t.is(workerJson.workers.length, 102);
});
