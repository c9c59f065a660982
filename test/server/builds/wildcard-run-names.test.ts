// Run names from a `loop-on` over host-tag with wildcard values (JobServ's own
// example: `arm*`) are accepted, and every URL and file name carrying them is
// safe: H_RUN_URL escapes them and resolves, artifacts and archived logs live
// under an escaped folder name. On both dialects.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import test from "ava";
import { BuildService } from "../../../gen/jobserv/v1/build_pb.js";
import { ProjectService } from "../../../gen/jobserv/v1/project_pb.js";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import type { Assignment } from "../../../gen/jobserv/v1/worker_pb.js";
import { artifactKey } from "../../../server/artifacts/storage.js";
import { parseProjectDefinition } from "../../../server/projects/parse.js";
import { TEST_ADMIN_TOKEN } from "../../support/auth.js";
import { apiClient, eventually } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { startMiniWorker } from "../../support/mini-worker.js";
import { startTestServer } from "../../support/server.js";

const yaml = `
timeout: 1
triggers:
  - name: t
    type: simple
    runs:
      - name: build-{loop}
        container: img
        script: s
        loop-on:
          - param: host-tag
            values: ["arm*", "x86_6?", "[ab]cd"]
scripts:
  s: "#!/bin/sh\\ntrue\\n"
`;

test("loop-on over host-tag wildcards gives run names with them; keys escape them", (t) => {
  const runs = parseProjectDefinition(yaml).triggers[0]!.runs;
  t.deepEqual(runs.map((r) => [r.name, r.hostTag]), [["build-arm*", "arm*"], ["build-x86_6?", "x86_6?"], ["build-[ab]cd", "[ab]cd"]]);
  t.is(artifactKey("p", 1, "build-x86_6?", "a.txt"), "p/1/build-x86_6%3F/a.txt");
  t.is(artifactKey("p", 1, "plain-name_1.0", "a.txt"), "p/1/plain-name_1.0/a.txt", "plain names keep their keys");
});

for (const dialect of dialects) {
  test(`${dialect}: such runs are dispatched, their H_RUN_URL resolves, their artifacts are stored and served`, async (t) => {
    const artifactsDir = mkdtempSync(path.join(os.tmpdir(), "jobserv-wild-"));
    t.teardown(() => rmSync(artifactsDir, { recursive: true, force: true }));
    const server = await startTestServer(t, dialect, { artifactsDir });
    await apiClient(ProjectService, server.url).createProject({ name: "wild", definitionYaml: yaml });
    await apiClient(BuildService, server.url).triggerBuild({ project: "wild" });
    const got: Assignment[] = [];
    const worker = await startMiniWorker(t, server.url, "w", ["x86_64"], 2, (a) => got.push(a));
    const asg = await eventually(async () => got[0], 20_000, "the x86_6? run to be assigned");
    const def = asg.definition!;
    t.is(def.runName, "build-x86_6?");
    t.is(def.runUrl, `${server.url}/projects/wild/builds/1/runs/build-x86_6%3F/`);
    const json = await fetch(def.runUrl, { headers: { accept: "application/json", authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    t.is(json.status, 200);
    t.is(((await json.json()) as { data?: { run?: { name?: string } } }).data?.run?.name, "build-x86_6?");

    const put = await fetch(`${server.url}/worker/runs/${def.runId}/artifacts/out.txt`, {
      method: "PUT", body: "hello\n", headers: { "jobserv-worker": "w", "jobserv-run-token": asg.runToken, authorization: "Bearer mini-worker-token-w" },
    });
    t.is(put.status, 200, await put.text());
    const back = await fetch(`${def.runUrl}out.txt`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    t.is(await back.text(), "hello\n");
    t.deepEqual(readdirSync(path.join(artifactsDir, "wild", "1")), ["build-x86_6%3F"]);
    await worker.client.updateRun({ runId: def.runId, runToken: asg.runToken, status: Status.PASSED });
  });
}
