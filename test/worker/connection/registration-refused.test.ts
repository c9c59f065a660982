// A worker whose name is registered with another token cannot get in by
// retrying: `jobserv worker` stops with exit 2 and a message saying where its
// token is and how to fix it, instead of retrying forever. A worker with the
// right token (its folder kept) gets back in after a restart.
import path from "node:path";
import test from "ava";
import { cleanEnv, cli } from "../../support/cli.js";
import { startMiniWorker } from "../../support/mini-worker.js";
import { startTestServer, WORKER_SECRET } from "../../support/server.js";
import { spawnWorker } from "../../support/worker-process.js";
import { tempDir } from "../../support/temp-dir.js";
import { apiClient, eventually } from "../../support/clients.js";
import { WorkerAdminService } from "../../../gen/jobserv/v1/worker_admin_pb.js";

test("a worker refused for another token's name stops with how to fix it", async (t) => {
  const server = await startTestServer(t, "sqlite");
  const dir = tempDir(t, "jobserv-refused-");
  const first = await startMiniWorker(t, server.url, "lab-1", ["x"], 1, () => {});
  first.stop();

  const env = cleanEnv(t, { JOBSERV_URL: server.url, JOBSERV_WORKER_NAME: "lab-1", JOBSERV_WORKER_DIR: dir, JOBSERV_WORKER_SECRET: WORKER_SECRET });
  const refused = await cli(env, ["worker"]);
  t.is(refused.code, 2, refused.stdout + refused.stderr);
  const message = refused.stderr.trimEnd();
  t.is(message.split("\n").length, 1, message);
  t.regex(message, /^jobserv worker: the server refused worker "lab-1": worker "lab-1" is registered with another token\./);
  t.true(message.includes(path.join(dir, "token")), "names the token file");
  t.true(message.includes("JOBSERV_WORKER_NAME") && message.includes("jobserv workers delete lab-1"), "says how to fix it");

  // Its own name and folder: registered, and after a restart (the token file kept) registered again:
  // the server takes its new host tags, which it does only for the token the name belongs to.
  const admin = apiClient(WorkerAdminService, server.url);
  const registeredWith = (tag: string) => eventually(async () => {
    const w = (await admin.listWorkers({})).workers.find((x) => x.name === "lab-2");
    return w?.hostTags.join() === tag ? true : undefined;
  }, 20_000, `lab-2 registered with host tag ${tag}`);
  const opts = (tag: string) => ({ url: server.url, name: "lab-2", tags: [tag], protocol: "connect" as const, env: { JOBSERV_WORKER_DIR: path.join(dir, "lab-2") } });
  const worker = spawnWorker(t, opts("before"));
  await worker.registered();
  await registeredWith("before");
  await worker.stop();
  const again = spawnWorker(t, opts("after"));
  await again.registered();
  await registeredWith("after");
  await again.stop();
  t.false(again.output().includes("the server refused"), again.output());
});
