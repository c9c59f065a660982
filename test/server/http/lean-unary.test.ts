// The worker's unary calls (UpdateRun, AppendLog, ReportTests, ReportFacts) as
// the lean unary path answers them (server/http/lean-unary.ts), on real
// sockets over every protocol the port serves: the same answers, codes and
// messages as Connect's router gives the same calls in JSON (which it still
// serves), the caller's request id echoed, each call timed in the metrics;
// and raw bodies it cannot read answered with the codes the router gives a
// unary call it serves (RegisterWorker) for the same bytes.
import { create, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import test from "ava";
import { BuildService } from "../../../gen/jobserv/v1/build_pb.js";
import { ProjectService } from "../../../gen/jobserv/v1/project_pb.js";
import { RunService } from "../../../gen/jobserv/v1/run_pb.js";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { RegisterWorkerRequestSchema, UpdateRunRequestSchema, WorkerService, type Assignment } from "../../../gen/jobserv/v1/worker_pb.js";
import { apiClient, clientProtocols, transportFor, type ClientProtocol } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { startMiniWorker } from "../../support/mini-worker.js";
import { loopRunsYaml } from "../../support/projects.js";
import { parsePrometheus } from "../../support/prometheus.js";
import { envelope, h1Call, h2Call, type RawBody, type RawProtocol } from "../../support/raw-rpc.js";
import { startTestServer } from "../../support/server.js";

type Wire = ClientProtocol | "json";
const WIRES: readonly Wire[] = [...clientProtocols, "json"];

function workerClient(baseUrl: string, wire: Wire, name: string, token: string, seen?: (requestId: string | null) => void): Client<typeof WorkerService> {
  const identify: Interceptor = (next) => async (req) => {
    if (name) req.header.set("jobserv-worker", name);
    if (token) req.header.set("authorization", `Bearer ${token}`);
    req.header.set("x-request-id", `req-${wire}`);
    try {
      const res = await next(req);
      seen?.(res.header.get("x-request-id"));
      return res;
    } catch (e) {
      seen?.(ConnectError.from(e).metadata.get("x-request-id"));
      throw e;
    }
  };
  const transport = wire === "json"
    ? createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: false, interceptors: [identify] })
    : transportFor(baseUrl, wire, [identify]);
  return createClient(WorkerService, transport);
}

const outcome = (p: Promise<unknown>): Promise<string> =>
  p.then((r) => `ok ${JSON.stringify(r, (k, v: unknown) => (k === "$typeName" ? undefined : typeof v === "bigint" ? v.toString() : v))}`,
    (e: unknown) => { const c = ConnectError.from(e); return `${Code[c.code]}: ${c.rawMessage}`; });

for (const dialect of dialects) {
  test(`${dialect}: the worker's unary calls answer alike on every protocol and in JSON (the router's)`, async (t) => {
    const server = await startTestServer(t, dialect);
    await apiClient(ProjectService, server.url).createProject({ name: "p", definitionYaml: loopRunsYaml(WIRES.map((_, i) => i), { hostTag: "lean" }) });
    const assignments: Assignment[] = [];
    const worker = await startMiniWorker(t, server.url, "w", ["lean"], WIRES.length, (a) => assignments.push(a));
    t.teardown(() => worker.stop());
    await worker.connected;
    await apiClient(BuildService, server.url).triggerBuild({ project: "p", triggerName: "t" });
    for (let i = 0; i < 300 && assignments.length < WIRES.length; i++) await new Promise((r) => setTimeout(r, 50));
    t.is(assignments.length, WIRES.length, "every run assigned");
    const token = "mini-worker-token-w";

    const got: string[] = [];
    const want: string[] = [];
    for (const [i, wire] of WIRES.entries()) {
      const a = assignments[i]!;
      const runId = a.definition!.runId;
      const ids: (string | null)[] = [];
      const client = workerClient(server.url, wire, "w", token, (id) => ids.push(id));
      const line = Buffer.from(`${wire}\n`);
      const calls: [string, () => Promise<unknown>, string][] = [
        ["append", () => client.appendLog({ runId, runToken: a.runToken, offset: 0n, data: line }), `ok {"committedOffset":"${line.length}","cancelRequested":false}`],
        ["facts", () => client.reportFacts({}), "ok {}"],
        ["unknown run", () => client.updateRun({ runId: 987654n, runToken: a.runToken, status: Status.PASSED }), "NotFound: run 987654 not found"],
        ["wrong run token", () => client.updateRun({ runId, runToken: "nope", status: Status.PASSED }), `PermissionDenied: run ${runId} is not assigned to worker w with this token`],
        ["no credentials", () => workerClient(server.url, wire, "", "").updateRun({ runId, runToken: a.runToken, status: Status.PASSED }),
          "Unauthenticated: worker calls need the jobserv-worker and authorization: Bearer headers"],
        ["wrong worker token", () => workerClient(server.url, wire, "w", "wrong-token-0123456789").appendLog({ runId, runToken: a.runToken, offset: 0n, data: line }),
          `Unauthenticated: worker "w": unknown worker or wrong token`],
        ["tests", () => client.reportTests({ runId, runToken: a.runToken, tests: [{ name: "t", status: Status.PASSED, results: [] }] }), `ok {"cancelRequested":false}`],
        ["passed", () => client.updateRun({ runId, runToken: a.runToken, status: Status.PASSED, message: "done" }), `ok {"cancelRequested":false}`],
      ];
      for (const [what, call, expected] of calls) {
        got.push(`${wire} ${what}: ${await outcome(call())}`);
        want.push(`${wire} ${what}: ${expected}`);
      }
      t.true(ids.length >= 6 && ids.every((id) => id === `req-${wire}`), `${wire}: the request id comes back on answers and errors: ${ids.join(", ")}`);
      const run = await apiClient(RunService, server.url).getRun({ ref: { project: "p", buildNumber: 1, run: a.definition!.runName } });
      got.push(`${wire} stored: ${Status[run.run!.status]}`);
      want.push(`${wire} stored: PASSED`);
    }
    t.deepEqual(got, want);

    const metrics = parsePrometheus(await (await fetch(`${server.url}/metrics`)).text());
    const count = (method: string, code: string) => metrics.get("jobserv_rpc_duration_seconds_count", { method: `jobserv.v1.WorkerService/${method}`, code });
    t.is(count("UpdateRun", "OK"), WIRES.length, "each UpdateRun timed once");
    t.is(count("UpdateRun", "NotFound"), WIRES.length);
    // The router's request gate answers before its interceptors, so its refusals go untimed; the lean path times every call.
    t.is(count("UpdateRun", "Unauthenticated"), clientProtocols.length);
    t.is(count("AppendLog", "OK"), WIRES.length);
  });
}

test("raw bodies the lean unary path cannot read get the codes the router gives a unary call, on every protocol", async (t) => {
  const server = await startTestServer(t, "sqlite", { rpcMaxBytes: 64 * 1024, rpcBodyIdleMs: 500 });
  const token = "raw-worker-token-0123456789";
  await createClient(WorkerService, transportFor(server.url, "connect-h1", [])).registerWorker({ name: "raw", token, hostTags: ["x"], concurrency: 1 });
  const who = { "jobserv-worker": "raw", authorization: `Bearer ${token}` };
  const LEAN = "/jobserv.v1.WorkerService/UpdateRun";
  const ROUTER = "/jobserv.v1.WorkerService/RegisterWorker";
  // Field 1 as a varint that never ends: no message decodes it.
  const garbage = Buffer.from([0x08, 0xff, 0xff]);
  const good: Record<string, Buffer> = { [LEAN]: Buffer.from(toBinary(UpdateRunRequestSchema, create(UpdateRunRequestSchema, { runId: 1n }))),
    [ROUTER]: Buffer.from(toBinary(RegisterWorkerRequestSchema, create(RegisterWorkerRequestSchema, { name: "x" }))) };
  const framed = (path: string): [string, Buffer[]][] => [
    ["garbage", [envelope(garbage)]],
    ["compressed flag without an encoding", [envelope(Buffer.alloc(0), 1)]],
    ["a frame cut short", [envelope(garbage).subarray(0, 8)]],
    ["no message", []],
    ["two messages", [envelope(good[path]!), envelope(good[path]!)]],
  ];
  const bare = (): [string, Buffer[]][] => [["garbage", [garbage]]];
  const wires: [string, RawProtocol, (p: RawProtocol, path: string, h: Record<string, string>, b: Buffer[]) => ReturnType<typeof h1Call>][] = [
    ["Connect unary, HTTP/1.1", "connect", (p, path, h, b) => h1Call(server.url, p, path, h, { chunks: b })],
    ["Connect unary, HTTP/2", "connect", (p, path, h, b) => h2Call(server.url, p, path, h, { chunks: b })],
    ["gRPC-web, HTTP/1.1", "grpc-web", (p, path, h, b) => h1Call(server.url, p, path, h, { chunks: b })],
    ["gRPC", "grpc", (p, path, h, b) => h2Call(server.url, p, path, h, { chunks: b })],
  ];
  const got: string[] = [], want: string[] = [];
  for (const [wire, protocol, call] of wires) {
    for (const [what, body] of protocol === "connect" ? bare() : framed(LEAN)) {
      const lean = await call(protocol, LEAN, who, body);
      const routed = await call(protocol, ROUTER, who, protocol === "connect" ? body : framed(ROUTER).find(([w]) => w === what)![1]);
      got.push(`${wire}, ${what}: ${lean.code}`);
      want.push(`${wire}, ${what}: ${routed.code}`);
      t.not(lean.code, "ok", `${wire}, ${what}: refused`);
    }
    const raw = (h: Record<string, string>, b: RawBody, n?: number) => wire.includes("HTTP/1.1") ? h1Call(server.url, protocol, LEAN, h, b, n)
      : h2Call(server.url, protocol, LEAN, n === undefined ? h : { ...h, "content-length": String(n) }, b);
    const first = protocol === "connect" ? good[LEAN]!.subarray(0, 1) : envelope(good[LEAN]!).subarray(0, 3);
    const stalled = await raw(who, { chunks: [first], keepOpen: true });
    got.push(`${wire}, a body that stalls: ${stalled.code}`);
    want.push(`${wire}, a body that stalls: deadline_exceeded`);
    const anonymous = await raw({}, { chunks: [], keepOpen: true }, 64 * 1024 * 1024);
    got.push(`${wire}, no credentials and a large body: ${anonymous.code}`);
    want.push(`${wire}, no credentials and a large body: unauthenticated`);
  }
  t.deepEqual(got, want);
});
