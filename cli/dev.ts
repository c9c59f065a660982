// `jobserv dev`: everything on one laptop. A server on the embedded SQLite
// store plus one local worker (enlisted through a one-time registration
// secret), in one process. One instance per port: the worker's name
// (local-<host>-<port>), its folder and the admin token live under
// .jobserv/dev-<port>/, so two instances on one host do not share a worker
// folder or remove each other's containers, and a restart reuses its admin
// token instead of adding another.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadServerConfig } from "../server/config.js";
import { startServer } from "../server/main.js";
import { loadWorkerConfig } from "../worker/config.js";
import { startWorker } from "../worker/main.js";
import { devDefaults } from "./config.js";
import { UsageError } from "./errors.js";

/** The instance's admin token: the one saved in `dir` by an earlier start, else a new one, saved. */
function savedAdminToken(dir: string): string {
  const file = path.join(dir, "admin-token");
  try {
    const saved = readFileSync(file, "utf8").trim();
    if (saved) return saved;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  const token = `jst_${randomBytes(18).toString("base64url")}`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

function count(flag: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new UsageError(`${flag} ${JSON.stringify(value)}: expected a number from ${min} to ${max}`);
  return Number(value);
}

export async function run(argv: string[]): Promise<number> {
  const defaults = devDefaults();
  const { values } = parseArgs({ args: argv, options: {
    port: { type: "string", default: defaults.port },
    db: { type: "string", default: defaults.db },
    concurrency: { type: "string", default: "2" },
  } });
  const port = count("--port", values.port, 0, 65535);
  const concurrency = count("--concurrency", values.concurrency, 1, 64);
  const stateDir = path.resolve(".jobserv", `dev-${port}`);
  const secret = randomBytes(18).toString("base64url");
  const config = loadServerConfig(process.env, {
    port, databaseUrl: values.db, workerRegistrationSecret: secret,
    // A laptop rarely has JobServ's 30 GB free: dev keeps runs going down to 1 GiB unless told otherwise.
    ...(process.env["JOBSERV_WORKER_DISK_MIN_FREE_BYTES"] ? {} : { workerDiskMinFreeBytes: 2 ** 30 }),
  });
  const adminToken = config.adminToken || savedAdminToken(stateDir);
  const server = await startServer({ ...config, adminToken });
  const worker = startWorker(loadWorkerConfig(process.env, {
    serverUrl: server.url, name: `local-${os.hostname().replace(/[^A-Za-z0-9._-]/g, "-")}`.slice(0, 70) + `-${server.port}`,
    workDir: path.join(stateDir, "worker"), registrationSecret: secret, concurrency,
    // Local development uses local images unless told otherwise.
    ...(process.env["JOBSERV_WORKER_PULL_POLICY"] ? {} : { pullPolicy: "if-not-present" as const }),
  }));
  worker.done.catch((e: unknown) => console.error(`jobserv dev: the local worker stopped: ${(e as Error).message}`));
  console.log(`jobserv dev: API and worker on ${server.url} (store ${values.db})`);
  console.log(`  admin token: ${adminToken}   (kept in ${path.relative(process.cwd(), stateDir) || "."}/admin-token)`);
  console.log(`  try: export JOBSERV_URL=${server.url} JOBSERV_TOKEN=${adminToken}`);
  console.log("       node cli/jobserv.js project apply -f examples/hello.yml");
  console.log("       node cli/jobserv.js trigger hello --follow");
  await new Promise<void>((resolve) => {
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
  });
  await worker.stop();
  await server.close();
  return 0;
}
