// A worker SIGKILLed mid-run: the run is FAILED within the lease (+ a sweep)
// with a message saying why, and when the worker comes back it removes the
// container it left behind. An assignment never acknowledged goes back to the
// queue instead. On both store dialects.
import test from "ava";
import Docker from "dockerode";
import { RunService } from "../../gen/jobserv/v1/run_pb.js";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { applyProject, readLog, trigger, waitForBuild } from "../support/builds.js";
import { apiClient, eventually } from "../support/clients.js";
import { dialects } from "../support/db.js";
import { startMiniWorker } from "../support/mini-worker.js";
import { TEST_IMAGE } from "../support/projects.js";
import { START_CEILING_MS } from "../support/server-process.js";
import { startTestServer } from "../support/server.js";
import { spawnWorker } from "../support/worker-process.js";

const LEASE_MS = 3_000;

const yaml = (tag: string) => `
timeout: 5
triggers:
  - name: t
    type: simple
    runs:
      - name: long
        container: ${TEST_IMAGE}
        host-tag: ${tag}
        script: long
scripts:
  long: |
    #!/bin/sh
    echo started
    sleep 120
`;

for (const dialect of dialects) {
  test(`${dialect}: a killed worker's run fails after the lease; its container goes when it restarts`, async (t) => {
    const server = await startTestServer(t, dialect, { workerLeaseMs: LEASE_MS });
    const name = `doomed-${dialect}`;
    const opts = { url: server.url, name, tags: ["doomed"], protocol: "connect" as const };
    const worker = spawnWorker(t, opts);
    await worker.registered();
    await applyProject(server.url, "wk", yaml("doomed"));
    const n = await trigger(server.url, "wk", "t");
    // A hang guard, not a budget: on a loaded machine a container may take long to start.
    await eventually(async () => ((await readLog(server.url, "wk", n, "long")).includes("started\n") ? true : undefined), START_CEILING_MS, () => worker.output());
    await worker.kill();
    const docker = new Docker();
    const orphans = await docker.listContainers({ all: true, filters: { label: worker.labels } });
    t.is(orphans.length, 1, "the killed worker left its container behind");

    const build = await waitForBuild(server.url, "wk", n, () => "the lease to expire", LEASE_MS + 5_000);
    t.is(build.runs[0]?.status, Status.FAILED);
    t.regex(build.runs[0]!.statusMessage, new RegExp(`^worker ${name} lost: no contact for \\d+ s$`));
    t.regex(await readLog(server.url, "wk", n, "long"), /started\n\n== worker .* lost: no contact for \d+ s: run FAILED\n$/);

    const again = spawnWorker(t, opts);
    await again.registered();
    await eventually(async () => ((await docker.listContainers({ all: true, filters: { label: worker.labels } })).length === 0 ? true : undefined),
      20_000, () => `the restarted worker to remove the leftover container: ${again.output()}`);
    // The log line follows the removal; it reaches us through the child's stdout pipe a moment later.
    const said = await eventually(async () => (/removed leftover containers: \/jobserv-run-/.test(again.output()) ? again.output() : undefined),
      5_000, () => `the restarted worker to say so: ${again.output()}`);
    t.regex(said, /removed leftover containers: \/jobserv-run-/);
  });

  test(`${dialect}: an assignment the worker never acknowledges goes back to the queue`, async (t) => {
    const server = await startTestServer(t, dialect, { assignmentAckMs: 500 });
    const got: string[] = [];
    // This worker takes assignments and never acknowledges them.
    const silent = await startMiniWorker(t, server.url, "silent", ["ack"], 1, (a) => { got.push(a.definition!.runName); });
    await applyProject(server.url, "ack", yaml("ack"));
    const n = await trigger(server.url, "ack", "t");
    await eventually(async () => (got.length ? true : undefined), 10_000, "the silent worker to get the run");
    silent.stop();
    const runs = apiClient(RunService, server.url);
    const run = await eventually(async () => {
      const r = (await runs.getRun({ ref: { project: "ack", buildNumber: n, run: "long" } })).run;
      return r?.status === Status.QUEUED ? r : undefined;
    }, 10_000, "the run to be queued again");
    t.is(run.workerName, "");
  });
}
