// Synchronous projects (simulated workers on two instances sharing one
// store): three builds never have two active at once, and they run highest
// priority first, then oldest. The setting comes from the YAML key and the
// API field. On both dialects.
import test from "ava";
import { BuildService } from "../../../gen/jobserv/v1/build_pb.js";
import { ProjectService } from "../../../gen/jobserv/v1/project_pb.js";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { apiClient, eventually } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { startMiniWorker } from "../../support/mini-worker.js";
import { loopRunsYaml } from "../../support/projects.js";
import { startTestServer } from "../../support/server.js";

const yaml = (sync: boolean) => `${sync ? "synchronous-builds: true\n" : ""}${loopRunsYaml([1, 2, 3], { hostTag: "lab" })}`;

for (const dialect of dialects) {
  test(`${dialect}: a synchronous project's three builds never have two active; priority, then age, picks the next`, async (t) => {
    const a = await startTestServer(t, dialect);
    const b = await startTestServer(t, dialect, { databaseUrl: a.databaseUrl });
    const projects = apiClient(ProjectService, a.url);
    const created = await projects.createProject({ name: "sync", definitionYaml: yaml(true) });
    t.true(created.project!.synchronousBuilds, "the YAML key sets it");
    const builds = apiClient(BuildService, b.url);
    // Queued before any worker connects: 1 and 2 at priority 0, 3 at priority 5.
    await builds.triggerBuild({ project: "sync" });
    await builds.triggerBuild({ project: "sync" });
    await builds.triggerBuild({ project: "sync", queuePriority: 5 });

    const unfinished = new Map<string, number>(); // run -> its build, until PASSED is sent
    const order: number[] = [];
    const violations: string[] = [];
    for (let i = 0; i < 6; i++) {
      await startMiniWorker(t, i % 2 ? a.url : b.url, `w${i}`, ["lab"], 2, (asg, client) => {
        const d = asg.definition!;
        const others = [...unfinished].filter(([, n]) => n !== d.buildNumber);
        if (others.length) violations.push(`${d.runName} of build ${d.buildNumber} assigned while ${others.map(([r, n]) => `${r} of build ${n}`).join(", ")} ran`);
        if (order[order.length - 1] !== d.buildNumber) order.push(d.buildNumber);
        const key = `${d.buildNumber}/${d.runName}`;
        unfinished.set(key, d.buildNumber);
        void (async () => {
          await client.updateRun({ runId: d.runId, runToken: asg.runToken, status: Status.RUNNING });
          await new Promise((r) => setTimeout(r, 20));
          unfinished.delete(key);
          await client.updateRun({ runId: d.runId, runToken: asg.runToken, status: Status.PASSED });
        })().catch(() => { /* teardown */ });
      });
    }
    await eventually(async () => {
      const { builds: all } = await builds.listBuilds({ project: "sync" });
      return all.every((x) => x.status === Status.PASSED) && all.length === 3 ? true : undefined;
    }, 60_000, () => `all three builds to pass; order so far ${order.join(",")}`);
    t.deepEqual(violations, []);
    t.deepEqual(order, [3, 1, 2], "highest priority first, then the oldest");

    const updated = await projects.updateProject({ name: "sync", synchronousBuilds: false });
    t.false(updated.project!.synchronousBuilds, "the API field overrides");
    t.false((await projects.getProject({ name: "sync" })).project!.synchronousBuilds);
  });

  test(`${dialect}: without synchronous-builds, builds run at once side by side`, async (t) => {
    const server = await startTestServer(t, dialect);
    await apiClient(ProjectService, server.url).createProject({ name: "free", definitionYaml: yaml(false) });
    const builds = apiClient(BuildService, server.url);
    await builds.triggerBuild({ project: "free" });
    await builds.triggerBuild({ project: "free" });
    const held = new Set<number>();
    await startMiniWorker(t, server.url, "w", ["lab"], 6, (asg) => { held.add(asg.definition!.buildNumber); });
    await eventually(async () => (held.size === 2 ? true : undefined), 20_000, "both builds to have runs assigned while none completes");
    t.pass();
  });
}
