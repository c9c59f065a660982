// A run being cancelled whose worker is gone does not stay CANCELLING: a
// worker (real protocol, no container) takes the run, acknowledges it, writes
// a line, hears the Cancel and vanishes without reporting. After the lease the
// run is FAILED with "cancelled (worker gone)", said in its log too, and the
// build is FAILED. On both dialects.
import test from "ava";
import { RunService } from "../../../gen/jobserv/v1/run_pb.js";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { applyProject, readLog, trigger, waitForBuild } from "../../support/builds.js";
import { apiClient, eventually } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { startMiniWorker } from "../../support/mini-worker.js";
import { startTestServer } from "../../support/server.js";

const LEASE_MS = 2_000;

const yaml = `
timeout: 5
triggers:
  - name: t
    type: simple
    runs:
      - name: doomed
        container: img
        host-tag: vanishing
        script: s
scripts:
  s: "#!/bin/sh\\nsleep 600\\n"
`;

for (const dialect of dialects) {
  test(`${dialect}: a CANCELLING run whose worker vanished is FAILED after the lease`, async (t) => {
    const server = await startTestServer(t, dialect, { workerLeaseMs: LEASE_MS });
    const acked: bigint[] = [];
    const cancels: bigint[] = [];
    const worker = await startMiniWorker(t, server.url, "vanishing", ["vanishing"], 1, (asg, client) => {
      const { runId } = asg.definition!;
      void (async () => {
        await client.updateRun({ runId, runToken: asg.runToken, status: Status.RUNNING });
        await client.appendLog({ runId, runToken: asg.runToken, offset: 0n, data: Buffer.from("working\n") });
        acked.push(runId);
      })();
    }, (runId) => cancels.push(runId));
    await worker.connected;
    await applyProject(server.url, "stuck", yaml);
    const n = await trigger(server.url, "stuck", "t");
    await eventually(async () => (acked.length ? true : undefined), 10_000, "the worker to acknowledge the run");

    const ref = { project: "stuck", buildNumber: n, run: "doomed" };
    const { run } = await apiClient(RunService, server.url).cancelRun({ ref });
    t.is(run?.status, Status.CANCELLING);
    await eventually(async () => (cancels.length ? true : undefined), 10_000, "the Cancel to reach the worker");
    // The cancelling instance pushes a Cancel and its poll may repeat it: harmless, the run is the same.
    t.deepEqual([...new Set(cancels)], acked, "the Cancel named the worker's run");
    worker.stop(); // gone without reporting FAILED

    const build = await waitForBuild(server.url, "stuck", n, () => "the lease to expire", LEASE_MS + 5_000);
    t.is(build.status, Status.FAILED);
    t.is(build.runs[0]?.status, Status.FAILED);
    t.is(build.runs[0]?.statusMessage, "cancelled (worker gone)");
    t.is(await readLog(server.url, "stuck", n, "doomed"), "working\n\n== cancelled (worker gone): run FAILED\n");
  });
}
