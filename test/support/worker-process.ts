// Starts the real worker as a child process (`node cli/jobserv.js worker`),
// killed in teardown. Its output is kept for failure messages.
import { spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import type { ExecutionContext } from "ava";
import type { WireProtocol } from "../../worker/config.js";
import { WORKER_SECRET } from "./server.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

export interface WorkerProcess { output(): string; stop(): Promise<void>; kill(): Promise<void> }

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
      // One folder (token, runs) per worker name under the temp dir, kept across restarts within a test.
      JOBSERV_WORKER_DIR: path.join(os.tmpdir(), `jobserv-worker-${opts.name}`),
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
  return { output: () => out, stop, kill };
}
