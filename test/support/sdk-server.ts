// A live server for the SDK examples: README's project "hello", whose build 1
// (run greet-hello) PASSED with LOG as its console output, and build 2 QUEUED
// (its run's host tag no worker has).
import type { ExecutionContext } from "ava";
import { BuildService } from "../../gen/jobserv/v1/build_pb.js";
import { ProjectService } from "../../gen/jobserv/v1/project_pb.js";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { apiClient, eventually } from "./clients.js";
import { startMiniWorker } from "./mini-worker.js";
import { startTestServer } from "./server.js";

export const LOG = "line one\nline two\n";

/** Returns the server's URL. */
export async function serverWithBuilds(t: ExecutionContext): Promise<string> {
  const server = await startTestServer(t, "sqlite");
  await apiClient(ProjectService, server.url).createProject({
    name: "hello", definitionYaml: "timeout: 1\ntriggers:\n  - name: t\n    type: simple\n    runs: [{name: greet-hello, container: img, host-tag: sdk, script: s}]\n"
      + "  - name: nobody\n    type: simple\n    runs: [{name: greet-hello, container: img, host-tag: nowhere, script: s}]\nscripts:\n  s: echo\n",
  });
  const worker = await startMiniWorker(t, server.url, "sdk-worker", ["sdk"], 1, (a, client) => {
    const ref = { runId: a.definition!.runId, runToken: a.runToken };
    void (async () => {
      await client.updateRun({ ...ref, status: Status.RUNNING });
      await client.appendLog({ ...ref, offset: 0n, data: Buffer.from(LOG) });
      await client.updateRun({ ...ref, status: Status.PASSED });
    })().catch((e: unknown) => t.log(String(e)));
  });
  await worker.connected;
  const builds = apiClient(BuildService, server.url);
  await builds.triggerBuild({ project: "hello", triggerName: "t" });
  await eventually(async () => ((await builds.getBuild({ project: "hello", number: 1 })).build?.status === Status.PASSED ? true : undefined));
  await builds.triggerBuild({ project: "hello", triggerName: "nobody" }); // no worker has its host tag: stays QUEUED
  return server.url;
}

