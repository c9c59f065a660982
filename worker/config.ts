// Worker configuration: the only place on the worker side that reads the
// environment. Values are checked here (common/env-values.ts): a bad one stops
// the start with its name.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError, EnvReader } from "../common/env-values.js";

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
  /** always: pull each run's image (JobServ); if-not-present: only when missing. */
  pullPolicy: PullPolicy;
  /** Docker log driver of run containers: "none" (their output reaches the server through the attach stream), a driver's name, or "" for the daemon's default. */
  containerLogDriver: string;
  /** Take runs only while one of its host tags is in surge. */
  surgesOnly: boolean;
  /** Free disk below which this worker wants no new runs (0: the server's threshold). */
  diskMinFreeBytes: number;
  /** How often free disk, memory and load are reported. */
  factsMs: number;
  /** Run containers' memory limit in bytes (0: none): JobServ's max-mem-bytes / container-max-memory-percent. */
  maxMemBytes: number;
  /** Persistent volumes unused this long are removed (0: never), checked every volumeGcMs. */
  volumeMaxAgeMs: number;
  volumeGcMs: number;
}

export type PullPolicy = "always" | "if-not-present";

/** JOBSERV_WORKER_MAX_MEM_BYTES, else JOBSERV_WORKER_CONTAINER_MAX_MEMORY_PERCENT of the host's memory, else no limit. */
function maxMemBytes(env: EnvReader): number {
  const bytes = env.integer("JOBSERV_WORKER_MAX_MEM_BYTES", 0, { min: 0 }, "a number of bytes (0: no limit)");
  if (bytes) return bytes;
  const percent = env.integer("JOBSERV_WORKER_CONTAINER_MAX_MEMORY_PERCENT", 0, { min: 0, max: 100 }, "a percentage");
  return percent > 0 ? Math.floor((os.totalmem() * percent) / 100) : 0;
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

/**
 * Where a worker keeps its token, run folders and volumes unless
 * JOBSERV_WORKER_DIR says: a persistent place (not $TMPDIR, which is cleaned
 * and would make the worker a stranger to the server), one folder per worker
 * name so several workers on one host do not share a token.
 */
export function defaultWorkerDir(env: NodeJS.ProcessEnv, name: string): string {
  const isRoot = process.getuid?.() === 0;
  const base = env["XDG_STATE_HOME"] ? path.join(env["XDG_STATE_HOME"], "jobserv-worker")
    : isRoot ? "/var/lib/jobserv-worker"
    : path.join(env["HOME"] || os.homedir(), ".local", "state", "jobserv-worker");
  return path.join(base, name);
}

const PROTOCOLS: readonly WireProtocol[] = ["connect", "grpc", "grpc-web"];

/** `name=/host/path,...`; an entry without `=` or with an empty side is an error naming it. */
function sharedVolumes(env: EnvReader): Record<string, string> {
  const text = env.string("JOBSERV_WORKER_SHARED_VOLUMES", "");
  const entries = text.split(",").map((kv) => kv.trim()).filter(Boolean).map((kv) => {
    const eq = kv.indexOf("=");
    const [name, hostPath] = [kv.slice(0, eq).trim(), kv.slice(eq + 1).trim()];
    if (eq < 0 || !name || !hostPath) throw new ConfigError(`JOBSERV_WORKER_SHARED_VOLUMES=${JSON.stringify(text)}: entry ${JSON.stringify(kv)}: expected name=/host/path`);
    return [name, hostPath] as const;
  });
  return Object.fromEntries(entries);
}

/** The configuration from `env`; a malformed value throws ConfigError naming the variable and value. */
export function loadWorkerConfig(environment: NodeJS.ProcessEnv = process.env, overrides: Partial<WorkerConfig> = {}): WorkerConfig {
  const env = new EnvReader(environment);
  const name = overrides.name ?? env.string("JOBSERV_WORKER_NAME", os.hostname().replace(/[^A-Za-z0-9._-]/g, "-"));
  if (!/^[A-Za-z0-9._-]{1,80}$/.test(name)) throw new ConfigError(`JOBSERV_WORKER_NAME=${JSON.stringify(name)}: expected 1 to 80 of A-Z a-z 0-9 . _ -`);
  const workDir = overrides.workDir ?? env.string("JOBSERV_WORKER_DIR", defaultWorkerDir(environment, name));
  return {
    serverUrl: env.httpUrl("JOBSERV_URL", "http://127.0.0.1:8080"),
    name,
    token: overrides.token ?? env.raw("JOBSERV_WORKER_TOKEN") ?? persistentToken(workDir),
    hostTags: env.string("JOBSERV_WORKER_TAGS", os.arch()).split(",").map((t) => t.trim()).filter(Boolean),
    concurrency: env.integer("JOBSERV_WORKER_CONCURRENCY", 2, { min: 1, max: 1000 }),
    protocol: env.oneOf("JOBSERV_WORKER_PROTOCOL", PROTOCOLS, "connect"),
    registrationSecret: env.string("JOBSERV_WORKER_SECRET", ""),
    workDir,
    network: env.string("JOBSERV_WORKER_NETWORK", "host"),
    volumesDir: env.string("JOBSERV_WORKER_VOLUMES_DIR", path.join(workDir, "volumes")),
    sharedVolumes: sharedVolumes(env),
    logChunkBytes: 64 * 1024,
    logFlushMs: 100,
    pullPolicy: env.oneOf("JOBSERV_WORKER_PULL_POLICY", ["always", "if-not-present"] as const, "always"),
    containerLogDriver: env.string("JOBSERV_WORKER_CONTAINER_LOG_DRIVER", "none"),
    surgesOnly: env.flag("JOBSERV_WORKER_SURGES_ONLY", false),
    diskMinFreeBytes: env.integer("JOBSERV_WORKER_DISK_MIN_FREE_BYTES", 0, { min: 0 }, "a number of bytes (0: the server's threshold)"),
    factsMs: env.durationMs("JOBSERV_WORKER_FACTS_MS", 30_000, 0),
    maxMemBytes: maxMemBytes(env),
    volumeMaxAgeMs: env.integer("JOBSERV_WORKER_VOLUME_MAX_AGE_DAYS", 0, { min: 0 }, "a number of days (0: never)") * 86_400_000,
    volumeGcMs: env.durationMs("JOBSERV_WORKER_VOLUME_GC_MS", 3_600_000),
    ...overrides,
  };
}
