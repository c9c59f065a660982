// What the pages read beyond the first API, on both stores: a build's status
// history (Build.status_events, in GetBuild and the build JSON), the trigger
// of each run (Run.trigger_name: chained runs name their chained trigger),
// and the runs a worker holds (Worker.runs in ListWorkers). And what pages
// link: an HTML artifact is served sandboxed (an opaque origin, outside the
// reader's session).
import test from "ava";
import { BuildService } from "../../../gen/jobserv/v1/build_pb.js";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { WorkerAdminService } from "../../../gen/jobserv/v1/worker_admin_pb.js";
import type { Assignment } from "../../../gen/jobserv/v1/worker_pb.js";
import { adminHeaders } from "../../support/auth.js";
import { applyProject, trigger, waitForBuild } from "../../support/builds.js";
import { apiClient, eventually } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { startMiniWorker } from "../../support/mini-worker.js";
import { startTestServer } from "../../support/server.js";

const YAML = `
timeout: 1
scripts:
  s: "#!/bin/sh\\ntrue\\n"
triggers:
  - name: build
    type: simple
    runs:
      - name: compile
        container: img
        host-tag: pf
        script: s
        triggers:
          - name: test
  - name: test
    type: simple
    runs:
      - name: unit
        container: img
        host-tag: pf
        script: s
`;

for (const dialect of dialects) {
  test(`${dialect}: status history, each run's trigger, the runs a worker holds; HTML artifacts sandboxed`, async (t) => {
    const server = await startTestServer(t, dialect);
    await applyProject(server.url, "pf", YAML);
    const held: Assignment[] = [];
    const worker = await startMiniWorker(t, server.url, "pf-worker", ["pf"], 2, (a) => { held.push(a); });
    await worker.connected;
    await trigger(server.url, "pf", "build");
    await eventually(async () => held[0], 10_000, "compile to be assigned");
    const compile = held[0]!;

    const workers = apiClient(WorkerAdminService, server.url);
    const listed = await eventually(async () => (await workers.listWorkers({})).workers.find((w) => w.runs.length), 10_000, "the worker to hold its run");
    t.is(listed.name, "pf-worker");
    t.is(listed.activeRuns, 1);
    t.deepEqual(listed.runs.map((r) => [r.project, r.buildNumber, r.run]), [["pf", 1, "compile"]]);

    const upload = await fetch(`${server.url}/worker/runs/${compile.definition!.runId}/artifacts/report.html`, {
      method: "PUT", body: "<script>fetch('/jobserv.v1.TokenService/ListTokens')</script>", headers: { "jobserv-worker": "pf-worker", "jobserv-run-token": compile.runToken },
    });
    t.is(upload.status, 200);
    const report = await fetch(`${server.url}/projects/pf/builds/1/runs/compile/report.html`, { headers: adminHeaders });
    t.is(report.headers.get("content-type"), "text/html; charset=utf-8");
    t.is(report.headers.get("content-security-policy"), "sandbox allow-scripts allow-popups");

    // Pass compile: its chained trigger "test" adds "unit", which names that trigger.
    await worker.client.updateRun({ runId: compile.definition!.runId, runToken: compile.runToken, status: Status.PASSED });
    await eventually(async () => held[1], 10_000, "unit to be assigned");
    await worker.client.updateRun({ runId: held[1]!.definition!.runId, runToken: held[1]!.runToken, status: Status.PASSED });
    const done = await waitForBuild(server.url, "pf", 1);
    t.deepEqual(done.runs.map((r) => [r.name, r.triggerName]), [["compile", "build"], ["unit", "test"]]);
    t.deepEqual((await workers.listWorkers({})).workers.map((w) => [w.name, w.activeRuns, w.runs.length]), [["pf-worker", 0, 0]]);

    const { build } = await apiClient(BuildService, server.url).getBuild({ project: "pf", number: 1 });
    t.deepEqual(build!.statusEvents.map((e) => e.status), [Status.QUEUED, Status.RUNNING, Status.PASSED]);
    const times = build!.statusEvents.map((e) => Number(e.time!.seconds));
    t.deepEqual(times, [...times].sort((x, y) => x - y), "oldest first");
    const json = await (await fetch(`${server.url}/projects/pf/builds/1/`, { headers: adminHeaders })).json() as { data: { build: { status_events: { status: string }[] } } };
    t.deepEqual(json.data.build.status_events.map((e) => e.status), ["QUEUED", "RUNNING", "PASSED"], "JobServ's build JSON carries the same history");
    const { builds } = await apiClient(BuildService, server.url).listBuilds({ project: "pf" });
    t.deepEqual(builds[0]!.statusEvents, [], "lists stay light: no history");
  });
}
