// The real worker (`node cli/jobserv.js worker`) as a child process, running
// containers with networking off. Its output is kept for error messages.
import { spawn } from "node:child_process";
import path from "node:path";
import { WORKER_SECRET } from "./server-process.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

export interface WorkerProcess { readonly pid: number | undefined; output(): string; stop(): Promise<void> }

export function spawnRealWorker(url: string, name: string, tags: string[]): WorkerProcess {
  const child = spawn(process.execPath, [path.join(ROOT, "cli/jobserv.js"), "worker"], {
    cwd: ROOT,
    env: {
      ...process.env,
      JOBSERV_URL: url, JOBSERV_WORKER_NAME: name, JOBSERV_WORKER_TAGS: tags.join(","),
      JOBSERV_WORKER_SECRET: WORKER_SECRET, JOBSERV_WORKER_CONCURRENCY: "1", JOBSERV_WORKER_NETWORK: "none",
      JOBSERV_WORKER_PULL_POLICY: "if-not-present",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => { out += d.toString(); });
  child.stderr.on("data", (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    pid: child.pid,
    output: () => out,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}
