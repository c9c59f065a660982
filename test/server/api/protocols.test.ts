// One port, every protocol: Connect over HTTP/1.1 and HTTP/2, gRPC-web over
// HTTP/1.1 and gRPC over HTTP/2 all reach the same services, unary and
// server-streaming, with the same error codes; plain JSON over HTTP/1.1 works
// as curl would send it.
import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import test from "ava";
import { BuildService } from "../../../gen/jobserv/v1/build_pb.js";
import { ProjectService } from "../../../gen/jobserv/v1/project_pb.js";
import { RunService } from "../../../gen/jobserv/v1/run_pb.js";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { WorkerService } from "../../../gen/jobserv/v1/worker_pb.js";
import { apiClient, clientProtocols } from "../../support/clients.js";
import { PASS_FAIL_YAML } from "../../support/projects.js";
import { startTestServer, WORKER_SECRET } from "../../support/server.js";
import { adminHeaders } from "../../support/auth.js";

const BAD_YAML = `timeout: 5
triggers:
  - name: ci
    type: simple
    runs:
      - name: unit
        container: img
        script: missing
scripts:
  other: "#!/bin/sh"
`;

test("every protocol: unary, server streaming and errors on one port", async (t) => {
  const server = await startTestServer(t, "sqlite");
  await apiClient(ProjectService, server.url).createProject({ name: "p", definitionYaml: PASS_FAIL_YAML });
  await apiClient(BuildService, server.url).triggerBuild({ project: "p", triggerName: "ci" });

  // A minimal worker puts a log in place and completes the run.
  const identify: Interceptor = (next) => (req) => {
    req.header.set("jobserv-worker", "w");
    req.header.set("authorization", "Bearer worker-token-0123456789");
    return next(req);
  };
  const worker = createClient(WorkerService, createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", interceptors: [identify] }));
  await worker.registerWorker({ name: "w", token: "worker-token-0123456789", hostTags: ["test-1"], concurrency: 1, registrationSecret: WORKER_SECRET });
  const stop = new AbortController();
  let assignment;
  for await (const msg of worker.pull({ workerName: "w" }, { signal: stop.signal })) {
    if (msg.action.case === "assignment") { assignment = msg.action.value; break; }
  }
  stop.abort();
  const { runId, runName } = assignment!.definition!;
  await worker.appendLog({ runId, runToken: assignment!.runToken, offset: 0n, data: Buffer.from("hello\nworld\n") });
  await worker.updateRun({ runId, runToken: assignment!.runToken, status: Status.PASSED });

  for (const protocol of clientProtocols) {
    const projects = apiClient(ProjectService, server.url, protocol);
    const runs = apiClient(RunService, server.url, protocol);
    t.deepEqual((await projects.listProjects({})).projects.map((p) => p.name), ["p"], protocol);
    const err = await projects.createProject({ name: `bad-${protocol}`, definitionYaml: BAD_YAML }).catch((e: unknown) => ConnectError.from(e));
    t.true(err instanceof ConnectError && err.code === Code.InvalidArgument, `${protocol}: invalid YAML is INVALID_ARGUMENT`);
    t.regex((err as ConnectError).rawMessage, /triggers\[0\]\.runs\[0\]\.script \(line 8, column \d+\).*missing/, protocol);
    const missing = await runs.getRun({ ref: { project: "p", buildNumber: 1, run: "nope" } }).catch((e: unknown) => ConnectError.from(e));
    t.is((missing as ConnectError).code, Code.NotFound, protocol);

    const parts: string[] = [];
    let final = Status.UNSPECIFIED;
    for await (const m of runs.tailLog({ ref: { project: "p", buildNumber: 1, run: runName }, offset: 2n, follow: true })) {
      parts.push(Buffer.from(m.data).toString());
      if (m.finalStatus) final = m.finalStatus;
    }
    t.is(parts.join(""), "llo\nworld\n", `${protocol}: tail from an offset`);
    t.is(final, Status.PASSED, `${protocol}: a followed tail ends with the run's status`);
  }
  t.deepEqual((await apiClient(ProjectService, server.url).listProjects({})).projects.map((p) => p.name), ["p"], "invalid projects were not stored");

  // What curl sends: Connect JSON over HTTP/1.1.
  const res = await fetch(`${server.url}/jobserv.v1.BuildService/GetBuild`, {
    method: "POST", headers: { "content-type": "application/json", ...adminHeaders }, body: JSON.stringify({ project: "p", number: 1 }),
  });
  t.is(res.status, 200);
  const body = await res.json() as { build: { number: number; runs: { name: string }[] } };
  t.is(body.build.number, 1);
  t.is(body.build.runs.length, 2);
  const notFound = await fetch(`${server.url}/jobserv.v1.BuildService/GetBuild`, {
    method: "POST", headers: { "content-type": "application/json", ...adminHeaders }, body: JSON.stringify({ project: "p", number: 9 }),
  });
  t.is(notFound.status, 404);
  t.is(((await notFound.json()) as { code: string }).code, "not_found");
  t.is((await fetch(`${server.url}/projects/p/builds/1/runs/nope/console.log`, { headers: adminHeaders })).status, 404);
  t.is((await fetch(`${server.url}/healthz`)).status, 200);
  t.is((await fetch(`${server.url}/readyz`)).status, 200);
});
