// 20 Pull streams on two server instances sharing one store claim from 50
// queued runs: every run is assigned exactly once, only to a worker whose
// tags match, and every run completes. On both dialects.
import test from "ava";
import { BuildService } from "../../../gen/jobserv/v1/build_pb.js";
import { ProjectService } from "../../../gen/jobserv/v1/project_pb.js";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { loadServerConfig } from "../../../server/config.js";
import { startServer } from "../../../server/main.js";
import { apiClient, eventually } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { startMiniWorker } from "../../support/mini-worker.js";
import { startTestServer, TEST_SECRETS_KEY, WORKER_SECRET } from "../../support/server.js";

const yaml = `
timeout: 1
triggers:
  - name: many
    type: simple
    runs:
      - name: r-{loop}
        container: img
        script: s
        loop-on:
          - param: N
            values: [${Array.from({ length: 25 }, (_, i) => i).join(", ")}]
          - param: host-tag
            values: [even, odd]
scripts:
  s: "#!/bin/sh\\ntrue\\n"
`;

for (const dialect of dialects) {
  test(`${dialect}: 20 streams on two instances, 50 runs, each assigned exactly once`, async (t) => {
    const a = await startTestServer(t, dialect);
    const b = await startServer(loadServerConfig({}, { databaseUrl: a.databaseUrl, port: 0, workerRegistrationSecret: WORKER_SECRET, pollMs: 100, secretsKey: TEST_SECRETS_KEY }));
    t.teardown(() => b.close());
    const assigned = new Map<string, string[]>();
    const workers = await Promise.all(Array.from({ length: 20 }, (_, i) => {
      const name = `w${i}`;
      const tag = i % 2 ? "odd" : "even";
      return startMiniWorker(t, i < 10 ? a.url : b.url, name, [tag], 2, (asg, client) => {
        const run = asg.definition!.runName;
        assigned.set(run, [...(assigned.get(run) ?? []), name]);
        t.is(asg.definition!.hostTag, tag, `${run} went to a worker with tag ${tag}`);
        void (async () => {
          await client.updateRun({ runId: asg.definition!.runId, runToken: asg.runToken, status: Status.RUNNING });
          await client.updateRun({ runId: asg.definition!.runId, runToken: asg.runToken, status: Status.PASSED, message: "ok" });
        })().catch(() => { /* the server may already be closing at teardown; assertions catch real failures */ });
      });
    }));
    await Promise.all(workers.map((w) => w.connected));
    await apiClient(ProjectService, a.url).createProject({ name: "p", definitionYaml: yaml });
    const started = Date.now();
    await apiClient(BuildService, b.url).triggerBuild({ project: "p", triggerName: "many" });
    const build = await eventually(async () => {
      const { build } = await apiClient(BuildService, a.url).getBuild({ project: "p", number: 1 });
      return build?.status === Status.PASSED ? build : undefined;
    }, 60_000, () => `all runs to pass; ${assigned.size} assigned`);
    t.log(`all passed after ${Date.now() - started} ms`);
    t.is(build.runs.length, 50);
    t.is(assigned.size, 50);
    const twice = [...assigned].filter(([, ws]) => ws.length !== 1);
    t.deepEqual(twice, [], "no run assigned twice");
    const byWorker = new Set([...assigned.values()].flat());
    t.true(byWorker.size > 2, `work spread over ${byWorker.size} workers`);
  });
}
