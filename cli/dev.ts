// `jobserv dev`: everything on one laptop. A server on the embedded SQLite
// store plus one local worker (enlisted through a one-time registration
// secret), in one process. Prints where it listens.
import { randomBytes } from "node:crypto";
import os from "node:os";
import { parseArgs } from "node:util";
import { loadServerConfig } from "../server/config.js";
import { startServer } from "../server/main.js";
import { loadWorkerConfig } from "../worker/config.js";
import { startWorker } from "../worker/main.js";

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: {
    port: { type: "string", default: process.env["JOBSERV_PORT"] ?? "8080" },
    db: { type: "string", default: process.env["JOBSERV_DATABASE"] ?? "sqlite:./jobserv.db" },
    concurrency: { type: "string", default: "2" },
  } });
  const secret = randomBytes(18).toString("base64url");
  const adminToken = process.env["JOBSERV_ADMIN_TOKEN"] || `jst_${randomBytes(18).toString("base64url")}`;
  const server = await startServer(loadServerConfig(process.env, { port: Number(values.port), databaseUrl: values.db, workerRegistrationSecret: secret, adminToken }));
  const worker = startWorker(loadWorkerConfig(process.env, {
    serverUrl: server.url, name: `local-${os.hostname().replace(/[^A-Za-z0-9._-]/g, "-")}`.slice(0, 80),
    registrationSecret: secret, concurrency: Number(values.concurrency),
  }));
  console.log(`jobserv dev: API and worker on ${server.url} (store ${values.db})`);
  console.log(`  admin token: ${adminToken}`);
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
