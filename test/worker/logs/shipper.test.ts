// The log shipper (worker/logs/shipper.ts) driven through its append function
// against a fake AppendLog on a real socket (as Buildkite's log streamer tests
// drive their uploader): ordering, one request in flight, batching and the
// final flush, a server that goes down and comes back, an answer lost after
// the bytes were stored (resent at the same offset, stored once), a gap (the
// server lost acknowledged bytes: resent from its offset), a refusal for good,
// a cancel request, and the spool file removed at the end. Every test runs
// twice: with the generic Connect client's AppendLog (the gRPC and gRPC-web
// workers' path) and with the worker's direct Connect-protocol AppendLog
// (worker/connection/append-log.ts, the default protocol's path).
import { readdirSync } from "node:fs";
import test, { type ExecutionContext } from "ava";
import { Code, ConnectError, createClient, type ServiceImpl } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { create } from "@bufbuild/protobuf";
import { LogGapSchema, WorkerService } from "../../../gen/jobserv/v1/worker_pb.js";
import { directAppendLog } from "../../../worker/connection/append-log.js";
import { LogShipper, type AppendFn } from "../../../worker/logs/shipper.js";
import { eventually } from "../../support/clients.js";
import { startFakeWorkerServer } from "../../support/fake-worker-server.js";
import { prng } from "../../support/prng.js";
import { tempDir } from "../../support/temp-dir.js";

/** The server side of one run's log, with AppendLog's contract (see proto/jobserv/v1/worker.proto). */
class FakeLog {
  log = Buffer.alloc(0);
  readonly requests: Array<{ offset: number; size: number; runId: bigint; runToken: string; worker: string | null }> = [];
  inFlight = 0;
  maxInFlight = 0;
  cancelRequested = false;
  /** Runs before the append is applied; may throw to refuse it. */
  before: (offset: number, data: Uint8Array) => void = () => {};
  /** Runs after the append is applied; may throw to lose the answer. */
  after: (offset: number) => void = () => {};

  impl(): Partial<ServiceImpl<typeof WorkerService>> {
    return {
      appendLog: async (req, ctx) => {
        this.inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        try {
          const offset = Number(req.offset);
          this.requests.push({ offset, size: req.data.length, runId: req.runId, runToken: req.runToken, worker: ctx.requestHeader.get("jobserv-worker") });
          await new Promise((r) => setTimeout(r, 1));
          this.before(offset, req.data);
          if (offset > this.log.length) {
            throw new ConnectError("log gap", Code.FailedPrecondition, undefined,
              [{ desc: LogGapSchema, value: create(LogGapSchema, { committedOffset: BigInt(this.log.length) }) }]);
          }
          const end = offset + req.data.length;
          if (end > this.log.length) this.log = Buffer.concat([this.log, Buffer.from(req.data.subarray(this.log.length - offset))]);
          this.after(offset);
          return { committedOffset: BigInt(this.log.length), cancelRequested: this.cancelRequested };
        } finally {
          this.inFlight--;
        }
      },
    };
  }
}

type Via = "client" | "direct";
const VIAS: Via[] = ["client", "direct"];
/** A run id past 32 bits: its varint must be encoded whole. */
const RUN_ID = (1n << 40n) + 5n;

async function setup(t: ExecutionContext, via: Via, opts: { chunkBytes?: number; flushMs?: number } = {}) {
  const fake = new FakeLog();
  const server = await startFakeWorkerServer(t, fake.impl());
  const client = createClient(WorkerService, createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" }));
  const direct = directAppendLog({ serverUrl: server.url, workerName: "w", workerToken: "worker-token", runId: RUN_ID, runToken: "run-token" });
  // The worker's append function (worker/connection/remote-reporter.ts does the same).
  const append: AppendFn = async (offset, data) => {
    const res = via === "direct" ? await direct(offset, data) : await client.appendLog({ runId: RUN_ID, runToken: "run-token", offset: BigInt(offset), data });
    return { committed: Number(res.committedOffset), cancelRequested: res.cancelRequested };
  };
  const spoolDir = tempDir(t, "jobserv-spool-");
  let cancels = 0;
  const shipper = new LogShipper(append, { chunkBytes: opts.chunkBytes ?? 64, flushMs: opts.flushMs ?? 20, spoolDir }, () => { cancels++; });
  return { fake, server, shipper, spoolDir, cancels: () => cancels };
}

/** Random bytes in random-length writes (seeded). */
function writes(seed: number, count: number, maxLen = 300): Buffer[] {
  const r = prng(seed);
  return Array.from({ length: count }, () => Buffer.from(Array.from({ length: 1 + r.int(maxLen) }, () => r.int(256))));
}

/** Fails instead of hanging when the shipper never finishes. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: not done after ${ms} ms`)), ms); })])
    .finally(() => clearTimeout(timer));
}

for (const via of VIAS) {
  test(`${via}: every byte arrives once, in order, one request at a time; close() ships the rest and removes the spool file`, async (t) => {
    const { fake, shipper, spoolDir } = await setup(t, via);
    const all = writes(1, 300);
    for (const [i, w] of all.entries()) {
      shipper.write(w);
      if (i % 37 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    t.is(readdirSync(spoolDir).length, 1, "one spool file while shipping");
    await within(shipper.close(), 60_000, "close");
    t.true(fake.log.equals(Buffer.concat(all)), "the server's log is exactly what was written");
    t.is(shipper.committed, fake.log.length);
    t.is(fake.maxInFlight, 1, "one request in flight at a time");
    t.true(fake.requests.every((r) => r.runId === RUN_ID && r.runToken === "run-token"), "run id and token in every request");
    if (via === "direct") t.true(fake.requests.every((r) => r.worker === "w"), "the worker's name in every request");
    let expected = 0;
    for (const r of fake.requests) {
      t.is(r.offset, expected, "each request starts where the last one ended");
      expected += r.size;
    }
    t.deepEqual(readdirSync(spoolDir), [], "the spool file is removed");
  });

  test(`${via}: more than the 1 MiB write buffer, written in one reused buffer: every byte as written, however big the writes`, async (t) => {
    const { fake, shipper } = await setup(t, via, { chunkBytes: 64 * 1024 });
    const r = prng(3);
    const expected: Buffer[] = [];
    const scratch = Buffer.alloc(3 << 20);
    for (let total = 0; total < 5 << 20;) {
      // Mostly container-sized writes, now and then one bigger than the buffer; the caller reuses `scratch` at once.
      const n = r.int(10) === 0 ? (1 << 20) + r.int(1 << 20) : 1 + r.int(70_000);
      for (let i = 0; i < n; i++) scratch[i] = r.int(256);
      expected.push(Buffer.from(scratch.subarray(0, n)));
      shipper.write(scratch.subarray(0, n));
      total += n;
      if (r.int(20) === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await within(shipper.close(), 60_000, "close");
    t.true(fake.log.equals(Buffer.concat(expected)));
  });

  test(`${via}: batching: a full chunk goes at once, a small tail after flushMs, and nothing is sent twice`, async (t) => {
    const { fake, shipper } = await setup(t, via, { chunkBytes: 100, flushMs: 50 });
    shipper.write(Buffer.alloc(100, "a"));
    await eventually(async () => (fake.log.length === 100 ? true : undefined), 60_000, "the full chunk");
    shipper.write(Buffer.from("tail"));
    await eventually(async () => (fake.log.length === 104 ? true : undefined), 60_000, "the tail, without flush()");
    await shipper.close();
    t.is(fake.log.toString(), `${"a".repeat(100)}tail`);
    t.is(fake.requests.length, 2);
  });

  test(`${via}: server down, then up: output written during the outage is shipped after it, no byte lost or duplicated`, async (t) => {
    const { fake, server, shipper } = await setup(t, via);
    const all = writes(2, 120);
    for (const w of all.slice(0, 40)) shipper.write(w);
    await shipper.flush();
    await server.down();
    for (const w of all.slice(40, 80)) shipper.write(w);
    // The shipper retries against a closed port meanwhile.
    await new Promise((r) => setTimeout(r, 700));
    const during = fake.requests.length;
    await server.up();
    for (const w of all.slice(80)) shipper.write(w);
    await within(shipper.close(), 60_000, "close after the outage");
    t.true(fake.log.equals(Buffer.concat(all)));
    t.true(fake.requests.length > during, "shipping resumed");
  });

  test(`${via}: an answer lost after the server stored the bytes: resent at the same offset, stored once`, async (t) => {
    const { fake, shipper } = await setup(t, via);
    let lost = 0;
    fake.after = (offset) => {
      if (offset > 0 && lost < 3) { lost++; throw new ConnectError("connection reset", Code.Unavailable); }
    };
    const all = writes(3, 100);
    for (const w of all) shipper.write(w);
    await within(shipper.close(), 60_000, "close");
    t.is(lost, 3);
    t.true(fake.log.equals(Buffer.concat(all)), "stored once");
    const offsets = fake.requests.map((r) => r.offset);
    t.true(offsets.some((o, i) => i > 0 && o === offsets[i - 1]), `a resend at the same offset: ${offsets.join(",")}`);
  });

  test(`${via}: a gap (the server lost bytes it had acknowledged): resent from the server's offset`, async (t) => {
    const { fake, shipper } = await setup(t, via);
    const all = writes(4, 60);
    for (const w of all.slice(0, 30)) shipper.write(w);
    await shipper.flush();
    const kept = Math.floor(fake.log.length / 2);
    fake.log = fake.log.subarray(0, kept);
    for (const w of all.slice(30)) shipper.write(w);
    await within(shipper.close(), 60_000, "close after the gap");
    t.true(fake.log.equals(Buffer.concat(all)), "the lost bytes were sent again");
    t.true(fake.requests.some((r) => r.offset === kept), "resent from the offset the server named");
  });

  test(`${via}: a refusal for good (not retryable) fails close() and stops sending`, async (t) => {
    const { fake, shipper, spoolDir } = await setup(t, via);
    fake.before = () => { throw new ConnectError("run is complete", Code.PermissionDenied); };
    shipper.write(Buffer.from("late output\n"));
    const e = await t.throwsAsync(within(shipper.close(), 60_000, "close"));
    t.true(e instanceof ConnectError && e.code === Code.PermissionDenied, String(e));
    t.is(fake.requests.length, 1, "no retries");
    t.deepEqual(readdirSync(spoolDir), [], "the spool file is removed anyway");
  });

  test(`${via}: the server asks to cancel: the shipper says so`, async (t) => {
    const { fake, shipper, cancels } = await setup(t, via);
    shipper.write(Buffer.from("one\n"));
    await shipper.flush();
    t.is(cancels(), 0);
    fake.cancelRequested = true;
    shipper.write(Buffer.from("two\n"));
    await shipper.close();
    t.true(cancels() >= 1);
    t.is(fake.log.toString(), "one\ntwo\n");
  });
}
