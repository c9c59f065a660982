// Draining: from the moment an instance starts to close, open
// grpc.health.v1 Watch streams (gRPC over HTTP/2 and Connect over HTTP/1.1)
// receive NOT_SERVING and end, Check answers NOT_SERVING and /readyz 503,
// all while the port still answers (JOBSERV_DRAIN_DELAY_MS) and before it closes.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import test from "ava";
import { Health, HealthCheckResponse_ServingStatus as Serving } from "../../../gen/grpc/health/v1/health_pb.js";
import { loadServerConfig } from "../../../server/config.js";
import { startServer } from "../../../server/main.js";
import { apiClient, eventually } from "../../support/clients.js";
import { freshDatabaseUrl } from "../../support/db.js";
import { TEST_SECRETS_KEY } from "../../support/server.js";

test("health watchers hear NOT_SERVING and /readyz turns 503 before the port closes", async (t) => {
  const artifactsDir = mkdtempSync(path.join(os.tmpdir(), "jobserv-drain-"));
  t.teardown(() => rmSync(artifactsDir, { recursive: true, force: true }));
  const server = await startServer(loadServerConfig({}, {
    databaseUrl: await freshDatabaseUrl(t, "sqlite"), port: 0, secretsKey: TEST_SECRETS_KEY, logLevel: "silent", artifactsDir, drainDelayMs: 1_000,
  }));
  const watch = (protocol: "grpc" | "connect-h1") => {
    const seen: Serving[] = [];
    let first: () => void = () => {};
    const serving = new Promise<void>((resolve) => { first = resolve; });
    const ended = (async () => {
      for await (const m of apiClient(Health, server.url, protocol, null).watch({ service: "" })) {
        seen.push(m.status);
        if (m.status === Serving.SERVING) first();
      }
    })();
    return { seen, serving, ended };
  };
  const watchers = [watch("grpc"), watch("connect-h1")];
  await Promise.all(watchers.map((w) => w.serving));
  t.is((await fetch(`${server.url}/readyz`)).status, 200);

  let closed = false;
  const closing = server.close().then(() => { closed = true; });
  await Promise.all(watchers.map((w) => w.ended));
  t.false(closed, "the watch streams ended before the instance closed");
  for (const w of watchers) t.deepEqual(w.seen, [Serving.SERVING, Serving.NOT_SERVING]);
  const ready = await fetch(`${server.url}/readyz`);
  t.is(ready.status, 503);
  t.deepEqual(await ready.json(), { status: "draining" });
  t.is((await apiClient(Health, server.url, "connect-h1", null).check({ service: "" })).status, Serving.NOT_SERVING);
  await closing;
  await eventually(async () => fetch(`${server.url}/healthz`).then(() => undefined, () => true), 5_000, "the port to close");
});
