// A real server on a free port over a fresh database; closed in teardown.
import type { ExecutionContext } from "ava";
import { loadServerConfig } from "../../server/config.js";
import { startServer, type RunningServer } from "../../server/main.js";
import { freshDatabaseUrl, type Dialect } from "./db.js";

export const WORKER_SECRET = "test-registration-secret";

export async function startTestServer(t: ExecutionContext, dialect: Dialect): Promise<RunningServer & { databaseUrl: string }> {
  const databaseUrl = await freshDatabaseUrl(t, dialect);
  const server = await startServer(loadServerConfig({}, { databaseUrl, port: 0, workerRegistrationSecret: WORKER_SECRET, pollMs: 100 }));
  t.teardown(() => server.close());
  return { ...server, url: server.url, port: server.port, close: () => server.close(), databaseUrl };
}
