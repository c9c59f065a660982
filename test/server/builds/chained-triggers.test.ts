// Chained triggers through a real server and minimal workers: a passed run
// adds its chained trigger's runs to the same build (inheriting its env),
// the passed build adds its trigger's chained runs once, and a chain that
// cannot be created fails the run that fired it, with the reason in its log.
// A rerun run that passes again does not add its chained runs a second time.
import test, { type ExecutionContext } from "ava";
import { RunService } from "../../../gen/jobserv/v1/run_pb.js";
import { apiClient, eventually } from "../../support/clients.js";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import type { RunDefinition } from "../../../gen/jobserv/v1/run_definition_pb.js";
import { applyProject, readLog, trigger, waitForBuild } from "../../support/builds.js";
import { dialects } from "../../support/db.js";
import { startMiniWorker } from "../../support/mini-worker.js";
import { startTestServer } from "../../support/server.js";

const yaml = (runNames: string) => `
timeout: 1
params: {P: project}
scripts:
  s: "#!/bin/sh\\ntrue\\n"
triggers:
  - name: build
    type: simple
    params: {STAGE: build}
    runs:
      - name: compile
        container: img
        host-tag: t
        script: s
        triggers:
          - name: test
            run-names: "${runNames}"
    triggers:
      - name: publish
  - name: test
    type: simple
    params: {STAGE: test, ONLY_TEST: yes}
    runs:
      - name: unit
        container: img
        host-tag: t
        script: s
  - name: publish
    type: simple
    runs:
      - name: upload
        container: img
        host-tag: t
        script: s
`;

async function passEverything(t: ExecutionContext, url: string) {
  const seen: RunDefinition[] = [];
  await startMiniWorker(t, url, "w", ["t"], 4, (a, client) => {
    seen.push(a.definition!);
    void (async () => {
      await client.updateRun({ runId: a.definition!.runId, runToken: a.runToken, status: Status.RUNNING });
      await client.appendLog({ runId: a.definition!.runId, runToken: a.runToken, offset: 0n, data: Buffer.from(`ran ${a.definition!.runName}\n`) });
      await client.updateRun({ runId: a.definition!.runId, runToken: a.runToken, status: Status.PASSED });
    })().catch(() => { /* the server may already be closing at teardown; assertions catch real failures */ });
  });
  return seen;
}

for (const dialect of dialects) {
  test(`${dialect}: run-level and build-level chains add runs to the same build, once`, async (t) => {
    const server = await startTestServer(t, dialect);
    const seen = await passEverything(t, server.url);
    await applyProject(server.url, "chain", yaml("{name}-after-compile"));
    const n = await trigger(server.url, "chain", "build", { GIVEN: "by-caller" });
    const final = await waitForBuild(server.url, "chain", n, () => seen.map((d) => d.runName).join(","));
    t.is(final.status, Status.PASSED);
    t.deepEqual(final.runs.map((r) => [r.name, r.status]), [["compile", Status.PASSED], ["unit-after-compile", Status.PASSED], ["upload", Status.PASSED]]);
    const byName = Object.fromEntries(seen.map((d) => [d.runName, d]));
    const unit = byName["unit-after-compile"]!;
    t.is(unit.env["STAGE"], "build", "the parent run's env wins over the chained trigger's params");
    t.is(unit.env["ONLY_TEST"], "yes");
    t.is(unit.env["GIVEN"], "by-caller");
    t.is(unit.env["H_TRIGGER_URL"], `${server.url}/projects/chain/builds/${n}/runs/compile/`);
    t.is(unit.env["H_RUN"], "unit-after-compile");
    t.is(byName["upload"]!.env["H_TRIGGER_URL"], `${server.url}/projects/chain/builds/${n}/`);
    t.is(byName["upload"]!.env["GIVEN"], "by-caller");
    t.is(seen.length, 3, "nothing fired twice");

    // Rerun the run that chained: it passes again, and its chain is not added a second time.
    await apiClient(RunService, server.url).rerunRun({ ref: { project: "chain", buildNumber: n, run: "compile" } });
    await eventually(async () => (seen.length === 4 ? true : undefined), 15_000, "compile to run again");
    const again = await waitForBuild(server.url, "chain", n);
    t.is(again.status, Status.PASSED);
    t.deepEqual(again.runs.map((r) => [r.name, r.status]), [["compile", Status.PASSED], ["unit-after-compile", Status.PASSED], ["upload", Status.PASSED]]);
    await new Promise((r) => setTimeout(r, 300));
    t.deepEqual(seen.map((d) => d.runName), ["compile", "unit-after-compile", "upload", "compile"]);
  });

  test(`${dialect}: a chain that cannot be created fails the run that fired it`, async (t) => {
    const server = await startTestServer(t, dialect);
    await passEverything(t, server.url);
    await applyProject(server.url, "dup", yaml("compile"));
    const n = await trigger(server.url, "dup", "build");
    const build = await waitForBuild(server.url, "dup", n);
    t.is(build.status, Status.FAILED);
    t.deepEqual(build.runs.map((r) => r.name), ["compile"], "no chained run was added");
    t.regex(build.runs[0]!.statusMessage, /^error triggering run: the build already has runs named compile/);
    t.regex(await readLog(server.url, "dup", n, "compile"), /^ran compile\n\n== ERROR TRIGGERING RUN: the build already has runs named compile\n$/);
  });
}
