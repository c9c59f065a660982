// Starts a jobserv server in a child process (so its RSS and CPU are its own
// and load generators in this process do not share its event loop).
// BENCH_CPU_PROF=<dir> runs it under `node --cpu-prof` into that folder;
// BENCH_SERVER_FLAGS adds node flags (e.g. `--trace-gc`, which NODE_OPTIONS refuses);
// `heapSnapshot` writes a V8 heap snapshot of it (BENCH_HEAP_SNAPSHOT=<dir>).
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { BENCH_ADMIN_TOKEN } from "./api.js";

/** `heapUsed`, `heapTotal`, `external`: the V8 heap's live bytes, its size (and that of each space) and those of native objects it holds (process.memoryUsage). */
export interface ServerStats { rss: number; heapUsed: number; heapTotal: number; spaces: Record<string, number>; external: number; cpuMs: number; at: number }

export interface ServerProcess {
  url: string;
  stats(): Promise<ServerStats>;
  /** Writes a heap snapshot of the server to `file`; resolves with its path. */
  heapSnapshot(file: string): Promise<string>;
  stop(): Promise<void>;
}

export const SECRETS_KEY = Buffer.alloc(32, 9).toString("base64");
export const WORKER_SECRET = "bench-registration-secret";

export async function startServerProcess(databaseUrl: string, extra: Record<string, unknown> = {}): Promise<ServerProcess> {
  const profDir = process.env["BENCH_CPU_PROF"];
  const overrides = { databaseUrl, workerRegistrationSecret: WORKER_SECRET, secretsKey: SECRETS_KEY, adminToken: BENCH_ADMIN_TOKEN, ...extra };
  const child: ChildProcess = fork(path.join(import.meta.dirname, "server-child.ts"), [JSON.stringify(overrides)], {
    execArgv: ["--import", "tsx", ...(profDir ? ["--cpu-prof", "--cpu-prof-dir", profDir] : []), ...(process.env["BENCH_SERVER_FLAGS"]?.split(" ").filter(Boolean) ?? [])],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    child.once("message", (m: { type: string; url: string }) => resolve(m.url));
    child.once("exit", (code) => reject(new Error(`server process exited with ${code} before it was ready`)));
  });
  return {
    url,
    stats: () => new Promise<ServerStats>((resolve) => {
      const on = (m: { type: string } & ServerStats) => {
        if (m.type !== "stats") return;
        child.off("message", on);
        resolve({ rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, spaces: m.spaces, external: m.external, cpuMs: m.cpuMs, at: m.at });
      };
      child.on("message", on);
      child.send({ type: "stats" });
    }),
    heapSnapshot: (file) => new Promise<string>((resolve) => {
      const on = (m: { type: string; file: string }) => {
        if (m.type !== "heap") return;
        child.off("message", on);
        resolve(m.file);
      };
      child.on("message", on);
      child.send({ type: "heap", file });
    }),
    async stop() {
      if (child.exitCode !== null) return;
      child.send({ type: "stop" });
      const t = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(t);
    },
  };
}
