// The Pull loop (worker/connection/pull-loop.ts) and the worker around it
// (worker/main.ts) against a fake WorkerService on a real socket, over
// Connect/HTTP/1.1 and gRPC/HTTP/2: back-off while the server fails,
// reconnects after an outage, a stream that ends is reopened (without
// registering again) and reports the runs in flight, an Unauthenticated
// stream registers again, stop() ends it, and a run delivered twice (after a
// reconnect) runs once and is acknowledged.
import test, { type ExecutionContext } from "ava";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type ServiceImpl } from "@connectrpc/connect";
import { RunDefinitionSchema } from "../../../gen/jobserv/v1/run_definition_pb.js";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { WorkerService, type PullRequest, type PullResponse, type PullResponseSchema } from "../../../gen/jobserv/v1/worker_pb.js";
import { loadWorkerConfig, type WireProtocol, type WorkerConfig } from "../../../worker/config.js";
import { runPullLoop } from "../../../worker/connection/pull-loop.js";
import { createWorkerTransport } from "../../../worker/connection/transport.js";
import type { ContainerResult, Executor } from "../../../worker/executor/executor.js";
import { startWorker } from "../../../worker/main.js";
import { eventually } from "../../support/clients.js";
import { startFakeWorkerServer } from "../../support/fake-worker-server.js";
import { tempDir } from "../../support/temp-dir.js";

type Msg = MessageInitShape<typeof PullResponseSchema>;
/** What the fake sends on the n-th Pull stream (0-based); ending the iterable ends the stream. */
type PullScript = (n: number, req: PullRequest, signal: AbortSignal) => AsyncIterable<Msg>;

const holdOpen = (signal: AbortSignal) => new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));

class FakeWorkerService {
  readonly registrations: number[] = [];
  readonly pulls: PullRequest[] = [];
  readonly statuses: string[] = [];
  registerFailures = 0;
  constructor(private readonly script: PullScript) {}
  impl(): Partial<ServiceImpl<typeof WorkerService>> {
    return {
      registerWorker: async () => {
        this.registrations.push(Date.now());
        if (this.registerFailures > 0) { this.registerFailures--; throw new ConnectError("store unavailable", Code.Unavailable); }
        return { enlisted: true };
      },
      pull: (req, ctx) => {
        this.pulls.push(req);
        return this.script(this.pulls.length - 1, req, ctx.signal);
      },
      appendLog: async (req) => ({ committedOffset: req.offset + BigInt(req.data.length) }),
      updateRun: async (req) => { this.statuses.push(`${req.runId} ${Status[req.status]}`); return {}; },
      reportTests: async () => ({}),
      reportFacts: async () => ({}),
    };
  }
}

const protocols: Array<{ protocol: WireProtocol; http: "1.1" | "2" }> = [{ protocol: "connect", http: "1.1" }, { protocol: "grpc", http: "2" }];

async function setup(t: ExecutionContext, protocol: { protocol: WireProtocol; http: "1.1" | "2" }, script: PullScript) {
  const fake = new FakeWorkerService(script);
  const server = await startFakeWorkerServer(t, fake.impl(), protocol.http);
  const config: WorkerConfig = loadWorkerConfig({
    JOBSERV_URL: server.url, JOBSERV_WORKER_NAME: "loop-worker", JOBSERV_WORKER_DIR: tempDir(t, "jobserv-worker-loop-"),
    JOBSERV_WORKER_TOKEN: "loop-worker-token-123456", JOBSERV_WORKER_PROTOCOL: protocol.protocol, JOBSERV_WORKER_FACTS_MS: "0",
  });
  const stop = new AbortController();
  t.teardown(() => stop.abort());
  const messages: PullResponse[] = [];
  const logs: string[] = [];
  let active: bigint[] = [];
  const start = () => runPullLoop({
    client: createClient(WorkerService, createWorkerTransport(config)), config, activeRunIds: () => active,
    onMessage: (m) => messages.push(m), log: (l) => logs.push(l),
  }, stop.signal);
  return { fake, server, config, stop, messages, logs, start, setActive: (ids: bigint[]) => { active = ids; } };
}

for (const p of protocols) {
  test(`${p.protocol}: while registration fails, retries back off; then the stream opens`, async (t) => {
    const { fake, stop, logs, start } = await setup(t, p, async function* (_n, _req, signal) { yield { action: { case: "ping", value: {} } }; await holdOpen(signal); });
    fake.registerFailures = 4;
    const loop = start();
    await eventually(async () => (fake.pulls.length === 1 ? true : undefined), 60_000, "the stream to open");
    t.is(fake.registrations.length, 5);
    const gaps = fake.registrations.slice(1).map((at, i) => at - fake.registrations[i]!);
    // Jittered exponential back-off from 100 ms: retry n waits at least 50·2^n ms.
    gaps.forEach((gap, n) => t.true(gap >= 50 * 2 ** n - 5, `retry ${n} after ${gap} ms: ${gaps.join(", ")}`));
    t.regex(logs.join("\n"), /pull \(attempt 1\): \[unavailable\] store unavailable/);
    t.true(logs.includes("worker loop-worker registered"), logs.join("\n"));
    stop.abort();
    await loop;
  });

  test(`${p.protocol}: a stream that ends is reopened without registering again, reporting the runs in flight`, async (t) => {
    const { fake, messages, start, setActive, stop } = await setup(t, p, async function* (n, _req, signal): AsyncGenerator<Msg> {
      if (n === 0) {
        yield { action: { case: "ping", value: {} } };
        yield { action: { case: "assignment", value: { definition: { runId: 7n, runName: "r" }, runToken: "rt" } } };
        return;
      }
      yield { action: { case: "ping", value: {} } };
      await holdOpen(signal);
    });
    setActive([7n]);
    const loop = start();
    await eventually(async () => (fake.pulls.length === 2 && messages.length === 3 ? true : undefined), 60_000, "the second stream");
    t.is(fake.registrations.length, 1, "registered once");
    t.deepEqual(messages.map((m) => m.action.case), ["ping", "assignment", "ping"], "each message once, in order");
    t.deepEqual(fake.pulls.map((r) => r.workerName), ["loop-worker", "loop-worker"]);
    // The second delivery may still be on its way to onMessage: give it the time a round trip takes.
  await new Promise((r) => setTimeout(r, 300));
  t.deepEqual(fake.pulls[1]!.activeRunIds, [7n], "the reopened stream names the run in flight");
    stop.abort();
    await loop;
  });

  test(`${p.protocol}: the server goes down mid-stream and comes back: the loop reconnects`, async (t) => {
    const { fake, server, start, stop } = await setup(t, p, async function* (_n, _req, signal) { yield { action: { case: "ping", value: {} } }; await holdOpen(signal); });
    const loop = start();
    await eventually(async () => (fake.pulls.length === 1 ? true : undefined), 60_000, "the stream to open");
    await server.down();
    await new Promise((r) => setTimeout(r, 500));
    await server.up();
    await eventually(async () => (fake.pulls.length === 2 ? true : undefined), 60_000, "the stream to reopen");
    t.pass();
    stop.abort();
    await loop;
  });

  test(`${p.protocol}: an Unauthenticated stream registers again; stop() ends the loop at once`, async (t) => {
    const { fake, start, stop } = await setup(t, p, async function* (n, _req, signal) {
      if (n === 0) throw new ConnectError("unknown worker", Code.Unauthenticated);
      yield { action: { case: "ping", value: {} } };
      await holdOpen(signal);
    });
    const loop = start();
    await eventually(async () => (fake.pulls.length === 2 ? true : undefined), 60_000, "the stream after registering again");
    t.is(fake.registrations.length, 2);
    const stopped = Date.now();
    stop.abort();
    await loop;
    t.true(Date.now() - stopped < 5_000, "stop() ends an open stream promptly");
  });
}

/** Holds each run until released: the container boundary. */
class HeldExecutor implements Executor {
  runs = 0;
  private released = false;
  private wake: () => void = () => {};
  async removeLeftovers(): Promise<string[]> { return []; }
  async run(_spec: unknown, onOutput: (d: Uint8Array) => void): Promise<ContainerResult> {
    this.runs++;
    onOutput(Buffer.from("working\n"));
    if (!this.released) await new Promise<void>((resolve) => { this.wake = resolve; });
    return { exitCode: 0, ending: "exited" };
  }
  release(): void {
    this.released = true;
    this.wake();
  }
}

test("a run delivered again after a reconnect runs once; RUNNING acknowledges it, PASSED ends it", async (t) => {
  const definition = create(RunDefinitionSchema, { project: "p", buildNumber: 1, runName: "once", runId: 11n, container: "img", timeoutSeconds: 60, script: "#!/bin/sh\n", runUrl: "http://127.0.0.1:9/r/" });
  const assignment: Msg = { action: { case: "assignment", value: { definition, runToken: "run-token" } } };
  const fake = new FakeWorkerService(async function* (n, _req, signal) {
    yield assignment;
    if (n === 0) throw new ConnectError("instance draining", Code.Unavailable);
    await holdOpen(signal);
  });
  const server = await startFakeWorkerServer(t, fake.impl());
  const config = loadWorkerConfig({
    JOBSERV_URL: server.url, JOBSERV_WORKER_NAME: "once-worker", JOBSERV_WORKER_DIR: tempDir(t, "jobserv-worker-once-"),
    JOBSERV_WORKER_TOKEN: "once-worker-token-123456", JOBSERV_WORKER_FACTS_MS: "0", JOBSERV_WORKER_PULL_POLICY: "if-not-present",
  });
  const executor = new HeldExecutor();
  const logs: string[] = [];
  const worker = startWorker(config, executor, (l) => logs.push(l));
  t.teardown(() => { executor.release(); return worker.stop(); });
  await eventually(async () => (fake.pulls.length === 2 && executor.runs === 1 ? true : undefined), 60_000,
    () => `the redelivery: ${fake.pulls.length} pulls, statuses ${fake.statuses.join(",")}, runs ${executor.runs}; ${logs.join("\n")}`);
  // The second delivery may still be on its way to onMessage: give it the time a round trip takes.
  await new Promise((r) => setTimeout(r, 300));
  t.deepEqual(fake.pulls[1]!.activeRunIds, [11n], "the worker told the server it holds the run");
  t.is(executor.runs, 1, "started once");
  t.true(fake.statuses.includes("11 RUNNING"), "acknowledged");
  t.is(worker.activeRuns, 1);
  executor.release();
  await eventually(async () => (fake.statuses.includes("11 PASSED") ? true : undefined), 60_000, "the verdict");
  t.deepEqual(fake.statuses.filter((s) => s !== "11 RUNNING"), ["11 PASSED"]);
  t.is(executor.runs, 1);
});
