// Queue priority end to end (simulated worker): a priority-10 build queued
// behind 100 priority-0 runs starts next, and the run it chains keeps
// priority 10 (so it too goes before the priority-0 runs); FIFO within a
// priority. The trigger's YAML `queue-priority` applies when the request
// names none. On both dialects.
import test from "ava";
import { BuildService } from "../../../gen/jobserv/v1/build_pb.js";
import { ProjectService } from "../../../gen/jobserv/v1/project_pb.js";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import type { Assignment } from "../../../gen/jobserv/v1/worker_pb.js";
import { apiClient, eventually } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { startMiniWorker } from "../../support/mini-worker.js";
import { startTestServer } from "../../support/server.js";

const yaml = `
timeout: 1
triggers:
  - name: bulk
    type: simple
    runs:
      - name: r-{loop}
        container: img
        host-tag: lab
        script: s
        loop-on:
          - param: N
            values: [${Array.from({ length: 100 }, (_, i) => i).join(", ")}]
  - name: urgent
    type: simple
    runs:
      - name: hotfix
        container: img
        host-tag: lab
        script: s
        triggers:
          - name: follow-up
  - name: follow-up
    type: simple
    runs:
      - name: after-hotfix
        container: img
        host-tag: lab
        script: s
  - name: yaml-priority
    type: simple
    queue-priority: 7
    runs:
      - name: from-yaml
        container: img
        host-tag: lab
        script: s
scripts:
  s: "#!/bin/sh\\ntrue\\n"
`;

for (const dialect of dialects) {
  test(`${dialect}: a priority-10 build behind 100 priority-0 runs starts next; its chained run keeps priority 10`, async (t) => {
    const server = await startTestServer(t, dialect);
    await apiClient(ProjectService, server.url).createProject({ name: "p", definitionYaml: yaml });
    const builds = apiClient(BuildService, server.url);
    await builds.triggerBuild({ project: "p", triggerName: "bulk" });
    const urgent = await builds.triggerBuild({ project: "p", triggerName: "urgent", queuePriority: 10 });
    t.is(urgent.build!.queuePriority, 10);
    t.is(urgent.build!.runs[0]!.queuePriority, 10);
    const fromYaml = await builds.triggerBuild({ project: "p", triggerName: "yaml-priority" });
    t.is(fromYaml.build!.runs[0]!.queuePriority, 7, "the trigger's queue-priority when the request names none");
    await t.throwsAsync(builds.triggerBuild({ project: "p", triggerName: "bulk", queuePriority: 2_000_000 }), { message: /queue priority/ });

    // One worker, one slot: it takes runs strictly one after the other.
    const order: string[] = [];
    const pending: Assignment[] = [];
    const worker = await startMiniWorker(t, server.url, "w", ["lab"], 1, (asg) => { pending.push(asg); });
    const next = async () => {
      const asg = await eventually(async () => pending.shift(), 20_000, `assignment ${order.length + 1}`);
      order.push(asg.definition!.runName);
      await worker.client.updateRun({ runId: asg.definition!.runId, runToken: asg.runToken, status: Status.RUNNING });
      await worker.client.updateRun({ runId: asg.definition!.runId, runToken: asg.runToken, status: Status.PASSED });
    };
    for (let i = 0; i < 5; i++) await next();
    t.is(order[0], "hotfix");
    // The worker's slot is served as soon as hotfix passes, which may be before its chained run is queued.
    t.deepEqual(order.slice(1, 3).sort(), ["after-hotfix", "from-yaml"], "both before any priority-0 run");
    t.deepEqual(order.slice(3), ["r-0", "r-1"], "FIFO within a priority");
    const build2 = await builds.getBuild({ project: "p", number: urgent.build!.number });
    t.is(build2.build!.runs.find((r) => r.name === "after-hotfix")?.queuePriority, 10);
  });
}
