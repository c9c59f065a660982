// `jobserv dev` as a developer runs it (`npm run dev` runs this command):
// a restart reuses the instance's admin token instead of adding another, and
// two instances on one host (two ports, one working directory) each have
// their own worker name, worker folder and token, both serving.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import test, { type ExecutionContext } from "ava";
import { TokenService } from "../../gen/jobserv/v1/token_pb.js";
import { WorkerAdminService } from "../../gen/jobserv/v1/worker_admin_pb.js";
import { CLI } from "../support/cli.js";
import { apiClient, eventually } from "../support/clients.js";
import { freePort, START_CEILING_MS } from "../support/server-process.js";
import { tempDir } from "../support/temp-dir.js";

interface Dev { token: string; url: string; stop(): Promise<void>; output(): string }

/** `jobserv dev --port PORT` in `cwd`; resolves once it printed its admin token. */
async function startDev(t: ExecutionContext, cwd: string, port: number, db: string): Promise<Dev> {
  const child = spawn(process.execPath, [CLI, "dev", "--port", String(port), "--db", `sqlite:${path.join(cwd, db)}`], {
    cwd, env: { PATH: process.env["PATH"], HOME: cwd, JOBSERV_LOG_LEVEL: "warn" }, stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => { out += d.toString(); });
  child.stderr.on("data", (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) child.kill("SIGTERM");
    await exited;
  };
  t.teardown(stop);
  const token = await eventually(async () => /admin token: (\S+)/.exec(out)?.[1], START_CEILING_MS, () => `dev to print its admin token: ${out}`);
  return { token, url: `http://127.0.0.1:${port}`, stop, output: () => out };
}

/** The dev instance's own worker, once it is connected. */
async function onlineWorker(dev: Dev): Promise<string> {
  const admin = apiClient(WorkerAdminService, dev.url, "connect-h1", dev.token);
  return eventually(async () => (await admin.listWorkers({})).workers.find((w) => w.online)?.name, START_CEILING_MS, () => `the local worker: ${dev.output()}`);
}

test("a restart reuses the admin token; two instances on one host do not share a worker", async (t) => {
  const cwd = tempDir(t, "jobserv-dev-");
  const [portA, portB] = [await freePort(), await freePort()];

  const first = await startDev(t, cwd, portA, "a.db");
  const host = os.hostname().replace(/[^A-Za-z0-9._-]/g, "-");
  t.is(await onlineWorker(first), `local-${host}`.slice(0, 70) + `-${portA}`);
  await first.stop();
  const restarted = await startDev(t, cwd, portA, "a.db");
  t.is(restarted.token, first.token, "the same admin token after a restart");
  const tokens = await apiClient(TokenService, restarted.url, "connect-h1", restarted.token).listTokens({});
  t.is(tokens.tokens.length, 1, "no second admin token in the store");
  t.is(readFileSync(path.join(cwd, ".jobserv", `dev-${portA}`, "admin-token"), "utf8").trim(), first.token);

  const other = await startDev(t, cwd, portB, "b.db");
  t.not(other.token, first.token);
  const [workerA, workerB] = [await onlineWorker(restarted), await onlineWorker(other)];
  t.not(workerA, workerB, "a worker name per instance");
  t.true(workerB.endsWith(`-${portB}`));
  const tokenFile = (port: number) => readFileSync(path.join(cwd, ".jobserv", `dev-${port}`, "worker", "token"), "utf8");
  t.not(tokenFile(portA), tokenFile(portB), "a worker folder and token per instance");
  await Promise.all([restarted.stop(), other.stop()]);
});
