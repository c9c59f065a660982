// The walking skeleton end to end, on both store dialects and over each
// worker wire protocol: a project from YAML is triggered, a real worker
// process runs its two runs in real containers, the build ends FAILED with
// one run PASSED and one FAILED, and each stored log is exactly what the
// container printed, in order, once.
import test from "ava";
import Docker from "dockerode";
import { BuildService } from "../../gen/jobserv/v1/build_pb.js";
import { ProjectService } from "../../gen/jobserv/v1/project_pb.js";
import { RunService } from "../../gen/jobserv/v1/run_pb.js";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { WireProtocol } from "../../worker/config.js";
import { apiClient, eventually } from "../support/clients.js";
import { dialects } from "../support/db.js";
import { expectedGoodLog, PASS_FAIL_YAML, splitStanza } from "../support/projects.js";
import { startTestServer } from "../support/server.js";
import { spawnWorker } from "../support/worker-process.js";
import { adminHeaders } from "../support/auth.js";

const protocols: WireProtocol[] = ["connect", "grpc", "grpc-web"];

async function readLog(url: string, project: string, build: number, run: string): Promise<string> {
  const runs = apiClient(RunService, url);
  const parts: Uint8Array[] = [];
  for await (const msg of runs.tailLog({ ref: { project, buildNumber: build, run } })) parts.push(msg.data);
  return Buffer.concat(parts).toString();
}

for (const dialect of dialects) {
  for (const protocol of protocols) {
    test(`${dialect}, worker over ${protocol}: a pass/fail build runs in containers with exact logs`, async (t) => {
      const server = await startTestServer(t, dialect);
      const worker = spawnWorker(t, { url: server.url, name: `w-${dialect}-${protocol}`, tags: ["test-amd64"], protocol });
      const project = `skeleton-${protocol}`;
      await apiClient(ProjectService, server.url).createProject({ name: project, definitionYaml: PASS_FAIL_YAML });
      const builds = apiClient(BuildService, server.url);
      const { build } = await builds.triggerBuild({ project, triggerName: "ci", params: {} });
      t.is(build?.number, 1);
      t.deepEqual(build?.runs.map((r) => [r.name, r.status]), [["good", Status.QUEUED], ["bad", Status.QUEUED]]);

      let last = "";
      const done = await eventually(async () => {
        const { build: b } = await builds.getBuild({ project, number: 1 });
        last = (b?.runs ?? []).map((r) => `${r.name}: ${Status[r.status]}${r.workerName ? ` on ${r.workerName}` : ""}`).join(", ");
        return b && (b.status === Status.PASSED || b.status === Status.FAILED) ? b : undefined;
      }, 60_000, () => `build to complete (runs last seen: ${last}); worker said:\n${worker.output()}`);

      t.is(done.status, Status.FAILED, "a build with a failed run fails");
      const byName = Object.fromEntries(done.runs.map((r) => [r.name, r]));
      t.is(byName["good"]?.status, Status.PASSED);
      t.is(byName["bad"]?.status, Status.FAILED);
      t.is(byName["bad"]?.statusMessage, "exit code 1");
      t.is(byName["good"]?.workerName, `w-${dialect}-${protocol}`);
      t.truthy(done.completeTime);

      const good = await readLog(server.url, project, 1, "good");
      const { stanza, output } = splitStanza(good);
      t.true(stanza.includes(`curl -fsSL -H "Authorization: Bearer $JOBSERV_TOKEN" -o rundef.json ${server.url}/projects/${project}/builds/1/runs/good/.rundef.json `), stanza);
      t.regex(stanza, /npx -y http:\/\/127\.0\.0\.1:\d+\/cli\/jobserv-[\w.-]+\.tgz simulate rundef\.json/, stanza);
      t.is(output, expectedGoodLog(project, 1), "exactly what the container printed, in order, once");
      t.is(splitStanza(await readLog(server.url, project, 1, "bad")).output, "about to fail\n");
      const viaHttp = await (await fetch(`${server.url}/projects/${project}/builds/1/runs/good/console.log`, { headers: adminHeaders })).text();
      t.is(viaHttp, good, "REST console.log serves the same bytes");

      const left = await new Docker().listContainers({ all: true, filters: { label: worker.labels } });
      t.deepEqual(left, [], "containers are removed");
    });
  }
}
