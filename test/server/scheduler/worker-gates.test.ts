// The disk guard and surges (simulated workers): a low-disk worker idles
// while a healthy one takes the run, and `workers list` says why; fresh
// reports (ReportFacts) and the worker's own threshold move it in and out.
// A surge starts when the queue outgrows the regular workers (surge-only
// workers then take runs) and ends with the queue, after the hold time.
// On both dialects.
import test from "ava";
import type { Client } from "@connectrpc/connect";
import { BuildService } from "../../../gen/jobserv/v1/build_pb.js";
import { ProjectService } from "../../../gen/jobserv/v1/project_pb.js";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { WorkerAdminService } from "../../../gen/jobserv/v1/worker_admin_pb.js";
import type { Assignment, WorkerService } from "../../../gen/jobserv/v1/worker_pb.js";
import { apiClient, eventually } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { startMiniWorker } from "../../support/mini-worker.js";
import { loopRunsYaml } from "../../support/projects.js";
import { startTestServer } from "../../support/server.js";

const GB = 1_000_000_000;
type Held = { asg: Assignment; client: Client<typeof WorkerService> };
const pass = ({ asg, client }: Held) => client.updateRun({ runId: asg.definition!.runId, runToken: asg.runToken, status: Status.PASSED });

for (const dialect of dialects) {
  test(`${dialect}: a low-disk worker idles while a healthy one takes the run; workers list says why`, async (t) => {
    const server = await startTestServer(t, dialect, { workerDiskMinFreeBytes: 10 * GB, workerLeaseMs: 2_000 });
    await apiClient(ProjectService, server.url).createProject({ name: "p", definitionYaml: loopRunsYaml([1], { hostTag: "lab" }) });
    const builds = apiClient(BuildService, server.url);
    const admin = apiClient(WorkerAdminService, server.url);
    const got = new Map<string, Held[]>([["low", []], ["healthy", []]]);
    const start = (name: string, diskFreeBytes: bigint) =>
      startMiniWorker(t, server.url, name, ["lab"], 1, (asg, client) => got.get(name)!.push({ asg, client }), () => {}, { facts: { diskFreeBytes } });
    const low = await start("low", BigInt(1 * GB));
    await low.connected;
    const healthy = await start("healthy", BigInt(50 * GB));
    await healthy.connected;
    const reason = async (name: string) => (await admin.listWorkers({})).workers.find((w) => w.name === name)!.idleReason;
    t.regex(await reason("low"), /^low disk: 1\.0 GB free, needs 10\.0 GB$/);
    t.is(await reason("healthy"), "");

    await builds.triggerBuild({ project: "p" });
    await eventually(async () => (got.get("healthy")!.length === 1 ? true : undefined), 20_000, "the healthy worker to get the run");
    t.is(got.get("low")!.length, 0, "the low-disk worker got nothing");

    // Its disk was cleaned: the next report lets it take the next run (the healthy one is busy).
    await low.client.reportFacts({ facts: { diskFreeBytes: BigInt(20 * GB) } });
    await eventually(async () => ((await reason("low")) === "" ? true : undefined), 10_000, "the report to clear the guard");
    await builds.triggerBuild({ project: "p" });
    await eventually(async () => (got.get("low")!.length === 1 ? true : undefined), 20_000, "the low worker to take a run again");

    // Its own threshold beats the server's.
    await low.client.reportFacts({ facts: { diskFreeBytes: BigInt(20 * GB), diskMinFreeBytes: BigInt(25 * GB) } });
    t.regex(await reason("low"), /needs 25\.0 GB/);
  });

  test(`${dialect}: a surge starts when the queue outgrows the regular workers and ends with it`, async (t) => {
    const server = await startTestServer(t, dialect, { workerLeaseMs: 2_000, surgeRatio: 1, surgeCheckMs: 100, surgeHoldMs: 3_000 });
    await apiClient(ProjectService, server.url).createProject({ name: "one", definitionYaml: loopRunsYaml([1], { hostTag: "lab" }) });
    await apiClient(ProjectService, server.url).createProject({ name: "three", definitionYaml: loopRunsYaml([1, 2, 3], { hostTag: "lab" }) });
    const builds = apiClient(BuildService, server.url);
    const admin = apiClient(WorkerAdminService, server.url);
    const held = new Map<string, Held[]>([["regular", []], ["surge", []]]);
    const start = (name: string, surgesOnly: boolean) =>
      startMiniWorker(t, server.url, name, ["lab"], 2, (asg, client) => held.get(name)!.push({ asg, client }), () => {}, { surgesOnly });
    await (await start("regular", false)).connected;
    await (await start("surge", true)).connected;
    const surgeWorker = async () => (await admin.listWorkers({})).workers.find((w) => w.name === "surge")!;
    t.regex((await surgeWorker()).idleReason, /^surges only/);

    // Two queued runs fit the regular worker's two slots (ratio 1): no surge.
    await builds.triggerBuild({ project: "one" });
    await builds.triggerBuild({ project: "one" });
    await eventually(async () => (held.get("regular")!.length === 2 ? true : undefined), 20_000, "the regular worker to take both");
    // Six more: six queued, capacity 2; still four queued once the surge worker took two, so the surge lasts while we look.
    await builds.triggerBuild({ project: "three" });
    await builds.triggerBuild({ project: "three" });
    await eventually(async () => (held.get("surge")!.length === 2 ? true : undefined), 20_000, "the surge worker to take runs");
    const during = await surgeWorker();
    t.deepEqual(during.surgeTags, ["lab"]);
    t.is(during.idleReason, "");
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    t.regex(metrics, /jobserv_surge\{host_tag="lab"\} 1/);

    // The queue drains (every run passes): after the hold time the surge ends.
    let passed = 0;
    while (passed < 8) {
      const all = await eventually(async () => { const h = [...held.values()].flat(); return h.length ? h : undefined; }, 20_000, `run ${passed + 1} of 8`);
      for (const list of held.values()) list.splice(0);
      for (const h of all) await pass(h);
      passed += all.length;
    }
    await eventually(async () => (/^surges only/.test((await surgeWorker()).idleReason) ? true : undefined), 20_000, "the surge to end");
  });
}
