// Two instances as one service: a worker holds its Pull stream on instance A
// while every other call goes to instance B. A run triggered on B reaches the
// worker on A (A notices it by its poll of the queue), the log the worker
// appends through A is tailed live through B, a cancel asked of B reaches the
// worker on A (A's poll of CANCELLING runs), and the run ends FAILED with
// "cancelled". On both dialects.
import test from "ava";
import { RunService } from "../../../gen/jobserv/v1/run_pb.js";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
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
      - name: long
        container: img
        host-tag: cross
        script: s
scripts:
  s: "#!/bin/sh\\nsleep 60\\n"
`;

for (const dialect of dialects) {
  test(`${dialect}: worker on A; trigger, log tail and cancel through B`, async (t) => {
    const a = await startTestServer(t, dialect);
    const b = await startTestServer(t, dialect, { databaseUrl: a.databaseUrl });
    await applyProject(b.url, "cross", YAML);
    const cancels: bigint[] = [];
    let assigned: { runId: bigint; runToken: string } | undefined;
    const worker = await startMiniWorker(t, a.url, "on-a", ["cross"], 1, (asg, client) => {
      assigned = { runId: asg.definition!.runId, runToken: asg.runToken };
      void (async () => {
        await client.updateRun({ ...assigned!, status: Status.RUNNING });
        await client.appendLog({ ...assigned!, offset: 0n, data: Buffer.from("first line\n") });
      })();
    }, (runId) => cancels.push(runId));
    await worker.connected;

    const n = await trigger(b.url, "cross", "t");
    await eventually(async () => assigned, 10_000, "the run triggered on B to reach the worker on A");
    const ref = { project: "cross", buildNumber: n, run: "long" };
    const runsB = apiClient(RunService, b.url);
    const tail = runsB.tailLog({ ref, offset: 0n, follow: true });
    const it = tail[Symbol.asyncIterator]();
    const first = await it.next();
    t.is(Buffer.from(first.value!.data).toString(), "first line\n", "B tails what the worker appended through A");
    await worker.client.appendLog({ ...assigned!, offset: 11n, data: Buffer.from("second line\n") });
    const second = await it.next();
    t.is(Buffer.from(second.value!.data).toString(), "second line\n");
    t.is(second.value!.offset, 11n);

    await runsB.cancelRun({ ref });
    await eventually(async () => (cancels.includes(assigned!.runId) ? true : undefined), 10_000, "the cancel asked of B to reach the worker on A");
    await worker.client.updateRun({ ...assigned!, status: Status.FAILED, message: "cancelled" });
    const build = await waitForBuild(b.url, "cross", n);
    t.is(build.status, Status.FAILED);
    t.is(build.runs[0]!.statusMessage, "cancelled");
    const rest: string[] = [];
    for (let r = await it.next(); !r.done; r = await it.next()) rest.push(Buffer.from(r.value.data).toString());
    t.false(rest.join("").includes("first line"), "the tail sent no byte twice");
  });
}
