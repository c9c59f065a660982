// A real server on a free port over a fresh database; closed in teardown.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ExecutionContext } from "ava";
import { loadServerConfig, type ServerConfig } from "../../server/config.js";
import { startServer, type RunningServer } from "../../server/main.js";
import { freshDatabaseUrl, type Dialect } from "./db.js";
import { TEST_ADMIN_TOKEN } from "./auth.js";

export const WORKER_SECRET = "test-registration-secret";
/** One key for every test server, so instances sharing a store can read each other's secrets. */
export const TEST_SECRETS_KEY = Buffer.alloc(32, 7).toString("base64");

/** `overrides` may name an existing `databaseUrl` to start another instance on the same store. */
export async function startTestServer(t: ExecutionContext, dialect: Dialect, overrides: Partial<ServerConfig> = {}): Promise<RunningServer & { databaseUrl: string }> {
  const databaseUrl = overrides.databaseUrl ?? await freshDatabaseUrl(t, dialect);
  const artifactsDir = mkdtempSync(path.join(os.tmpdir(), "jobserv-artifacts-"));
  t.teardown(() => rmSync(artifactsDir, { recursive: true, force: true }));
  const server = await startServer(loadServerConfig({}, { port: 0, workerRegistrationSecret: WORKER_SECRET, pollMs: 100, secretsKey: TEST_SECRETS_KEY, adminToken: TEST_ADMIN_TOKEN, logLevel: process.env["JOBSERV_LOG_LEVEL"] ?? "warn", artifactsDir, ...overrides, databaseUrl }));
  t.teardown(() => server.close());
  return { ...server, url: server.url, port: server.port, close: () => server.close(), databaseUrl };
}
