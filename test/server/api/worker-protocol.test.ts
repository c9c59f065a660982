// The worker protocol as a worker sees it, over real sockets with a minimal
// client of the real protocol (no containers): a queued run is pushed at once
// to an idle Pull stream; appends are idempotent and gaps answered with the
// committed offset; a worker touches only its own runs; bad calls get the
// right codes. On both store dialects.
import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import test from "ava";
import { BuildService } from "../../../gen/jobserv/v1/build_pb.js";
import { ProjectService } from "../../../gen/jobserv/v1/project_pb.js";
import { RunService } from "../../../gen/jobserv/v1/run_pb.js";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { LogGapSchema, WorkerService, type Assignment } from "../../../gen/jobserv/v1/worker_pb.js";
import { apiClient } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { PASS_FAIL_YAML } from "../../support/projects.js";
import { startTestServer, WORKER_SECRET } from "../../support/server.js";

function workerClient(url: string, name: string, token: string) {
  const identify: Interceptor = (next) => (req) => {
    req.header.set("jobserv-worker", name);
    req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };
  return createClient(WorkerService, createConnectTransport({ baseUrl: url, httpVersion: "1.1", interceptors: [identify] }));
}

async function codeOf(p: Promise<unknown>): Promise<Code | undefined> {
  try { await p; return undefined; } catch (e) { return ConnectError.from(e).code; }
}

for (const dialect of dialects) {
  test(`${dialect}: assignment push, idempotent appends, run isolation, error codes`, async (t) => {
    const server = await startTestServer(t, dialect);
    const w1 = workerClient(server.url, "w1", "token-of-worker-one");
    const w2 = workerClient(server.url, "w2", "token-of-worker-two");
    for (const [c, name] of [[w1, "w1"], [w2, "w2"]] as const) {
      const res = await c.registerWorker({ name, token: `token-of-worker-${name === "w1" ? "one" : "two"}`, hostTags: ["test-x"], concurrency: 1, registrationSecret: WORKER_SECRET });
      t.true(res.enlisted);
    }
    t.is(await codeOf(w1.registerWorker({ name: "w1", token: "somebody-elses-token", hostTags: [] })), Code.PermissionDenied, "a name is bound to its token");
    t.is(await codeOf(workerClient(server.url, "w1", "wrong-token-xxxxxxxx").updateRun({ runId: 1n, runToken: "x", status: Status.RUNNING })), Code.Unauthenticated);

    const unenlisted = workerClient(server.url, "w3", "token-of-worker-three");
    t.false((await unenlisted.registerWorker({ name: "w3", token: "token-of-worker-three", hostTags: ["test-x"] })).enlisted);
    const refused = unenlisted.pull({ workerName: "w3" });
    t.is(await codeOf((async () => { for await (const _ of refused) break; })()), Code.PermissionDenied, "no runs before enlisting");

    // Open w1's stream first, then queue work: the assignment must be pushed.
    const stop = new AbortController();
    const assignments: Assignment[] = [];
    let gotOne: () => void = () => {};
    const first = new Promise<void>((resolve) => { gotOne = resolve; });
    const pulling = (async () => {
      try {
        for await (const msg of w1.pull({ workerName: "w1" }, { signal: stop.signal })) {
          if (msg.action.case === "assignment") { assignments.push(msg.action.value); gotOne(); }
        }
      } catch { /* aborted at the end */ }
    })();
    await new Promise((r) => setTimeout(r, 200));
    await apiClient(ProjectService, server.url).createProject({ name: "p", definitionYaml: PASS_FAIL_YAML });
    const triggered = Date.now();
    await apiClient(BuildService, server.url).triggerBuild({ project: "p", triggerName: "ci" });
    await first;
    t.log(`trigger -> assignment on an idle stream: ${Date.now() - triggered} ms`);
    const a = assignments[0]!;
    t.is(assignments.length, 1, "concurrency 1: one run at a time");
    t.is(a.definition?.project, "p");
    t.is(a.definition?.env["H_RUN"], a.definition?.runName);
    const runId = a.definition!.runId;

    await w1.updateRun({ runId, runToken: a.runToken, status: Status.RUNNING });
    t.is((await w1.appendLog({ runId, runToken: a.runToken, offset: 0n, data: Buffer.from("abc") })).committedOffset, 3n);
    t.is((await w1.appendLog({ runId, runToken: a.runToken, offset: 0n, data: Buffer.from("abc") })).committedOffset, 3n, "duplicate acknowledged");
    const gap = await w1.appendLog({ runId, runToken: a.runToken, offset: 10n, data: Buffer.from("x") }).catch((e: unknown) => ConnectError.from(e));
    t.true(gap instanceof ConnectError);
    t.is((gap as ConnectError).code, Code.FailedPrecondition);
    t.is((gap as ConnectError).findDetails(LogGapSchema)[0]?.committedOffset, 3n, "the gap answer carries the committed offset");

    t.is(await codeOf(w2.appendLog({ runId, runToken: a.runToken, offset: 3n, data: Buffer.from("evil") })), Code.PermissionDenied, "another worker cannot touch the run");
    t.is(await codeOf(w1.appendLog({ runId, runToken: "forged", offset: 3n, data: Buffer.from("evil") })), Code.PermissionDenied, "a wrong run token is refused");
    t.is(await codeOf(w1.updateRun({ runId: 999_999n, runToken: a.runToken, status: Status.PASSED })), Code.NotFound);
    t.is(await codeOf(w1.updateRun({ runId, runToken: a.runToken, status: Status.PROMOTED })), Code.InvalidArgument);

    await w1.appendLog({ runId, runToken: a.runToken, offset: 3n, data: Buffer.from("def\n") });
    await w1.updateRun({ runId, runToken: a.runToken, status: Status.PASSED, message: "exit code 0" });
    t.is(await codeOf(w1.appendLog({ runId, runToken: a.runToken, offset: 7n, data: Buffer.from("late") })), Code.PermissionDenied, "the run token dies with the run");
    t.is(await codeOf(w1.updateRun({ runId, runToken: a.runToken, status: Status.PASSED, message: "exit code 0" })), undefined, "a repeated final report (lost answer) is acknowledged");
    t.is(await codeOf(w1.updateRun({ runId, runToken: a.runToken, status: Status.FAILED })), Code.PermissionDenied, "a different final report is refused");

    await new Promise<void>((resolve) => { const check = () => (assignments.length >= 2 ? resolve() : setTimeout(check, 20)); check(); });
    t.not(assignments[1]!.definition!.runId, runId, "the freed slot gets the next run");
    stop.abort();
    await pulling;

    const runs = apiClient(RunService, server.url);
    const ref = { project: "p", buildNumber: 1, run: a.definition!.runName };
    t.is((await runs.getRun({ ref })).run?.status, Status.PASSED);
    let log = "";
    for await (const m of runs.tailLog({ ref })) log += Buffer.from(m.data).toString();
    t.is(log, "abcdef\n");
    t.is(await codeOf(runs.getRun({ ref: { ...ref, run: "nope" } })), Code.NotFound);
    t.is(await codeOf(runs.getRun({ ref: { ...ref, buildNumber: 7 } })), Code.NotFound);
  });
}
