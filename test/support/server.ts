// A real server on a free port over a fresh database; closed in teardown.
import type { ExecutionContext } from "ava";
import { loadServerConfig } from "../../server/config.js";
import { startServer, type RunningServer } from "../../server/main.js";
import { freshDatabaseUrl, type Dialect } from "./db.js";

export const WORKER_SECRET = "test-registration-secret";
/** One key for every test server, so instances sharing a store can read each other's secrets. */
export const TEST_SECRETS_KEY = Buffer.alloc(32, 7).toString("base64");

export async function startTestServer(t: ExecutionContext, dialect: Dialect): Promise<RunningServer & { databaseUrl: string }> {
  const databaseUrl = await freshDatabaseUrl(t, dialect);
  const server = await startServer(loadServerConfig({}, { databaseUrl, port: 0, workerRegistrationSecret: WORKER_SECRET, pollMs: 100, secretsKey: TEST_SECRETS_KEY }));
  t.teardown(() => server.close());
  return { ...server, url: server.url, port: server.port, close: () => server.close(), databaseUrl };
}
