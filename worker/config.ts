// Worker configuration: the only place on the worker side that reads the environment.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export type WireProtocol = "connect" | "grpc" | "grpc-web";

export interface WorkerConfig {
  /** Base URL of any server instance (or the load balancer in front of them). */
  serverUrl: string;
  name: string;
  /** This worker's secret; the server stores its hash at first registration. */
  token: string;
  hostTags: string[];
  concurrency: number;
  /** connect and grpc-web work over HTTP/1.1; grpc needs HTTP/2. */
  protocol: WireProtocol;
  /** Cluster registration secret: enlists the worker at once. */
  registrationSecret: string;
  /** Per-run scratch folders (script, archive) live here. */
  workDir: string;
  /** Persistent volumes live under <volumesDir>/<project>/<name>. */
  volumesDir: string;
  /** Shared volume name -> host path (mounted read-only into runs that name it). */
  sharedVolumes: Record<string, string>;
  /** Docker network mode for run containers: "host" or "none" (no bridge is assumed). */
  network: string;
  /** Log shipping: flush after this many bytes or this much quiet. */
  logChunkBytes: number;
  logFlushMs: number;
}

/**
 * The worker's token lives in `<workDir>/token` (created on first start,
 * mode 0600), so a restarted worker proves it is the same worker.
 */
function persistentToken(workDir: string): string {
  const file = path.join(workDir, "token");
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    mkdirSync(workDir, { recursive: true });
    const token = randomBytes(24).toString("base64url");
    writeFileSync(file, `${token}\n`, { mode: 0o600 });
    return token;
  }
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<WorkerConfig> = {}): WorkerConfig {
  const name = overrides.name ?? env["JOBSERV_WORKER_NAME"] ?? os.hostname().replace(/[^A-Za-z0-9._-]/g, "-");
  return {
    serverUrl: env["JOBSERV_URL"] ?? "http://127.0.0.1:8080",
    name,
    token: env["JOBSERV_WORKER_TOKEN"] ?? persistentToken(env["JOBSERV_WORKER_DIR"] ?? path.join(os.tmpdir(), `jobserv-worker-${name}`)),
    hostTags: (env["JOBSERV_WORKER_TAGS"] ?? os.arch()).split(",").map((t) => t.trim()).filter(Boolean),
    concurrency: Number(env["JOBSERV_WORKER_CONCURRENCY"] ?? 2),
    protocol: (env["JOBSERV_WORKER_PROTOCOL"] ?? "connect") as WireProtocol,
    registrationSecret: env["JOBSERV_WORKER_SECRET"] ?? "",
    workDir: env["JOBSERV_WORKER_DIR"] ?? path.join(os.tmpdir(), `jobserv-worker-${name}`),
    network: env["JOBSERV_WORKER_NETWORK"] ?? "host",
    volumesDir: env["JOBSERV_WORKER_VOLUMES_DIR"] ?? path.join(env["JOBSERV_WORKER_DIR"] ?? path.join(os.tmpdir(), `jobserv-worker-${name}`), "volumes"),
    sharedVolumes: Object.fromEntries((env["JOBSERV_WORKER_SHARED_VOLUMES"] ?? "").split(",").filter((kv) => kv.includes("="))
      .map((kv) => [kv.slice(0, kv.indexOf("=")).trim(), kv.slice(kv.indexOf("=") + 1).trim()])),
    logChunkBytes: 64 * 1024,
    logFlushMs: 100,
    ...overrides,
  };
}
