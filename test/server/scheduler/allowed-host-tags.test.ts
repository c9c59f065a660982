// Allowed host tags (JobServ's worker JWT tags): a worker enlisted with
// allowed_host_tags [a] that reports tags [a, b] gets `a` runs only; a `b`
// run waits for another worker. A worker restricted while connected has its
// stream closed by the next lease sweep, so it reconnects under the
// restriction. On both dialects.
import test from "ava";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { WorkerAdminService } from "../../../gen/jobserv/v1/worker_admin_pb.js";
import { WorkerService, type Assignment } from "../../../gen/jobserv/v1/worker_pb.js";
import { BuildService } from "../../../gen/jobserv/v1/build_pb.js";
import { applyProject, trigger, waitForBuild } from "../../support/builds.js";
import { apiClient, eventually } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { startMiniWorker } from "../../support/mini-worker.js";
import { startTestServer } from "../../support/server.js";

const YAML = `timeout: 1
triggers:
  - name: t
    type: simple
    runs:
      - name: ra
        container: img
        host-tag: a
        script: s
      - name: rb
        container: img
        host-tag: b
        script: s
scripts:
  s: "#!/bin/sh\\ntrue\\n"
`;

for (const dialect of dialects) {
  test(`${dialect}: a worker restricted to [a] never gets a b run`, async (t) => {
    const server = await startTestServer(t, dialect);
    await applyProject(server.url, "tags", YAML);
    // Register without the secret (not enlisted), then enlist with the restriction.
    const name = "restricted";
    const token = `mini-worker-token-${name}`;
    const raw = createClient(WorkerService, createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" }));
    await raw.registerWorker({ name, token, hostTags: ["a", "b"], concurrency: 2 });
    const admin = apiClient(WorkerAdminService, server.url);
    const { worker } = await admin.enlistWorker({ name, enlisted: true, allowedHostTags: ["a"] });
    t.deepEqual(worker!.allowedHostTags, ["a"]);

    const got: Record<string, string[]> = {};
    const complete = (workerName: string) => (a: Assignment, client: typeof raw) => {
      (got[workerName] ??= []).push(a.definition!.runName);
      const ids = { runId: a.definition!.runId, runToken: a.runToken };
      void (async () => {
        await client.updateRun({ ...ids, status: Status.RUNNING });
        await client.updateRun({ ...ids, status: Status.PASSED });
      })();
    };
    const restricted = await startMiniWorker(t, server.url, name, ["a", "b"], 2, complete(name));
    await restricted.connected;
    const number = await trigger(server.url, "tags", "t");
    // The a run is done by the restricted worker while the b run stays queued.
    const runs = await eventually(async () => {
      const { build } = await apiClient(BuildService, server.url).getBuild({ project: "tags", number });
      return build!.runs.find((r) => r.name === "ra")!.status === Status.PASSED ? build!.runs : undefined;
    }, 30_000, "the a run to pass");
    t.is(runs.find((r) => r.name === "rb")!.status, Status.QUEUED, "the b run is not claimable by the restricted worker");
    t.deepEqual((await admin.listWorkers({})).workers.find((w) => w.name === name)!.allowedHostTags, ["a"]);

    await startMiniWorker(t, server.url, "free", ["b"], 1, complete("free"));
    t.is((await waitForBuild(server.url, "tags", number)).status, Status.PASSED);
    t.deepEqual(got[name], ["ra"]);
    t.deepEqual(got["free"], ["rb"]);

    // Disabling keeps the restriction; enlisting with none lifts it.
    t.deepEqual((await admin.enlistWorker({ name, enlisted: false })).worker!.allowedHostTags, ["a"]);
    t.deepEqual((await admin.enlistWorker({ name, enlisted: true })).worker!.allowedHostTags, []);
  });

  test(`${dialect}: restricting a connected worker closes its stream within a lease sweep`, async (t) => {
    // A 3 s lease sweeps every 600 ms.
    const server = await startTestServer(t, dialect, { workerLeaseMs: 3_000 });
    const name = "live";
    const live = await startMiniWorker(t, server.url, name, ["a", "b"], 1, () => {});
    await live.connected;
    const admin = apiClient(WorkerAdminService, server.url);
    let ended = false;
    void live.ended.then(() => { ended = true; });
    await new Promise((r) => setTimeout(r, 2_000));
    t.false(ended, "an unchanged worker keeps its stream across sweeps");
    await admin.enlistWorker({ name, enlisted: true, allowedHostTags: ["b"] });
    await eventually(async () => (ended ? true : undefined), 5_000, "the stream of the restricted worker to close");
    t.pass();
  });
}
