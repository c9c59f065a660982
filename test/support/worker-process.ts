// Starts the real worker as a child process (`node cli/jobserv.js worker`),
// killed in teardown. Its output is kept for failure messages. Each test gets
// its own worker folder per worker name (kept across restarts within the
// test, removed after it), so nothing is shared between tests or suites.
import { spawn } from "node:child_process";
import path from "node:path";
import type { ExecutionContext } from "ava";
import type { WireProtocol } from "../../worker/config.js";
import { eventually } from "./clients.js";
import { START_CEILING_MS } from "./server-process.js";
import { WORKER_SECRET } from "./server.js";
import { tempDir } from "./temp-dir.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

export interface WorkerProcess {
  output(): string;
  stop(): Promise<void>;
  kill(): Promise<void>;
  /** The worker's folder (JOBSERV_WORKER_DIR); its containers carry it as the io.jobserv.worker-dir label. */
  readonly dir: string;
  /** Docker label filters that match this worker's containers and no other suite's same-named worker's. */
  readonly labels: string[];
  /** Resolves at the worker's "registered" line; rejects if it exits first or hangs past the ceiling. */
  registered(): Promise<void>;
}

const folders = new WeakMap<ExecutionContext, Map<string, string>>();

/** This test's folder for worker `name`: the same one when the test starts that worker again. */
function workerDir(t: ExecutionContext, name: string): string {
  let byName = folders.get(t);
  if (!byName) folders.set(t, byName = new Map());
  let dir = byName.get(name);
  if (!dir) byName.set(name, dir = tempDir(t, `jobserv-worker-${name}-`));
  return dir;
}

export function spawnWorker(t: ExecutionContext, opts: { url: string; name: string; tags: string[]; protocol: WireProtocol; concurrency?: number; env?: Record<string, string> }): WorkerProcess {
  const child = spawn(process.execPath, [path.join(ROOT, "cli/jobserv.js"), "worker"], {
    cwd: ROOT,
    env: {
      ...process.env,
      JOBSERV_URL: opts.url,
      JOBSERV_WORKER_NAME: opts.name,
      JOBSERV_WORKER_TAGS: opts.tags.join(","),
      JOBSERV_WORKER_PROTOCOL: opts.protocol,
      JOBSERV_WORKER_SECRET: WORKER_SECRET,
      JOBSERV_WORKER_CONCURRENCY: String(opts.concurrency ?? 2),
      JOBSERV_WORKER_NETWORK: "none",
      // One folder (token, runs, spool) per worker name and test, kept across restarts within the test.
      JOBSERV_WORKER_DIR: opts.env?.["JOBSERV_WORKER_DIR"] ?? workerDir(t, opts.name),
      // No image registry here: test images exist locally.
      JOBSERV_WORKER_PULL_POLICY: "if-not-present",
      ...opts.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => { out += d.toString(); });
  child.stderr.on("data", (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) child.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null) child.kill("SIGKILL");
  };
  const kill = async () => {
    if (child.exitCode === null) child.kill("SIGKILL");
    await exited;
  };
  t.teardown(stop);
  const registered = () => eventually(async () => {
    if (out.includes(`worker ${opts.name} registered`)) return true;
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`worker ${opts.name} exited before registering: ${out}`);
    return undefined;
  }, START_CEILING_MS, () => `worker ${opts.name} to register: ${out}`).then(() => {});
  const dir = opts.env?.["JOBSERV_WORKER_DIR"] ?? workerDir(t, opts.name);
  return { output: () => out, stop, kill, dir, labels: [`io.jobserv.worker=${opts.name}`, `io.jobserv.worker-dir=${dir}`], registered };
}
