// The worker's direct AppendLog (worker/connection/append-log.ts) against the
// real server on a real socket, beside the generic Connect client it replaces
// for the default protocol: a log shipped through it arrives whole and in
// order (requests of up to 1 MiB - 4 KiB); a gap is answered with the
// committed offset in LogGap details; every refusal (another worker's run, a
// forged run token, a wrong worker token, a finished run) has the same code
// and message through both paths; a broken connection is Code.Unavailable
// (retried by the shipper). On both store dialects.
import net from "node:net";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import test from "ava";
import { BuildService } from "../../../gen/jobserv/v1/build_pb.js";
import { ProjectService } from "../../../gen/jobserv/v1/project_pb.js";
import { RunService } from "../../../gen/jobserv/v1/run_pb.js";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { LogGapSchema, WorkerService } from "../../../gen/jobserv/v1/worker_pb.js";
import { directAppendLog } from "../../../worker/connection/append-log.js";
import { createWorkerTransport } from "../../../worker/connection/transport.js";
import { retryConnectErrors } from "../../../common/retry.js";
import { LogShipper } from "../../../worker/logs/shipper.js";
import { apiClient } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { PASS_FAIL_YAML } from "../../support/projects.js";
import { prng } from "../../support/prng.js";
import { startTestServer, WORKER_SECRET } from "../../support/server.js";
import { tempDir } from "../../support/temp-dir.js";

/** The generic client, over the transport the worker itself builds for the Connect protocol. */
function workerClient(url: string, name: string, token: string) {
  return createClient(WorkerService, createWorkerTransport({ serverUrl: url, protocol: "connect", name, token }));
}

/** The failure's code and message, or "ok". */
async function outcome(p: Promise<unknown>): Promise<string> {
  try { await p; return "ok"; } catch (e) { const c = ConnectError.from(e); return `${Code[c.code]}: ${c.rawMessage}`; }
}

for (const dialect of dialects) {
  test(`${dialect}: a shipped log arrives whole and in order; gaps and refusals answer as through the generic client`, async (t) => {
    const server = await startTestServer(t, dialect);
    const w1 = workerClient(server.url, "w1", "token-of-worker-one");
    const w2 = workerClient(server.url, "w2", "token-of-worker-two");
    t.true((await w1.registerWorker({ name: "w1", token: "token-of-worker-one", hostTags: ["test-x"], concurrency: 1, registrationSecret: WORKER_SECRET })).enlisted);
    t.true((await w2.registerWorker({ name: "w2", token: "token-of-worker-two", hostTags: ["test-x"], concurrency: 1, registrationSecret: WORKER_SECRET })).enlisted);

    const stop = new AbortController();
    const assigned = (async () => {
      for await (const msg of w1.pull({ workerName: "w1" }, { signal: stop.signal })) {
        if (msg.action.case === "assignment") return msg.action.value;
      }
      throw new Error("the stream ended without an assignment");
    })();
    await new Promise((r) => setTimeout(r, 200));
    await apiClient(ProjectService, server.url).createProject({ name: "p", definitionYaml: PASS_FAIL_YAML });
    await apiClient(BuildService, server.url).triggerBuild({ project: "p", triggerName: "ci" });
    const a = await assigned;
    stop.abort();
    const runId = a.definition!.runId;
    await w1.updateRun({ runId, runToken: a.runToken, status: Status.RUNNING });

    const direct = (name: string, token: string, runToken = a.runToken) =>
      directAppendLog({ serverUrl: server.url, workerName: name, workerToken: token, runId, runToken });
    const append = direct("w1", "token-of-worker-one");

    // 3 MiB in random writes, shipped as the worker does: requests up to 1 MiB - 4 KiB.
    const r = prng(11);
    const written: Buffer[] = [];
    const shipper = new LogShipper(async (offset, data) => {
      const res = await append(offset, data);
      return { committed: Number(res.committedOffset), cancelRequested: res.cancelRequested };
    }, { chunkBytes: 64 * 1024, flushMs: 20, spoolDir: tempDir(t, "jobserv-spool-") });
    for (let total = 0; total < 3 << 20;) {
      const n = 1 + r.int(200_000);
      const w = Buffer.from(Array.from({ length: n }, () => r.int(256)));
      written.push(w);
      shipper.write(w);
      total += n;
      if (r.int(4) === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await shipper.close();
    const expected = Buffer.concat(written);
    t.is(shipper.committed, expected.length);

    // A duplicate is acknowledged; a gap answered with the committed offset, as through the generic client.
    const end = BigInt(expected.length);
    t.is((await append(0, expected.subarray(0, 10))).committedOffset, end, "a resent head is acknowledged, not stored twice");
    const viaDirect = await append(expected.length + 5, Buffer.from("x")).then(() => undefined, (e: unknown) => e);
    const viaClient = await w1.appendLog({ runId, runToken: a.runToken, offset: end + 5n, data: Buffer.from("x") }).then(() => undefined, (e: unknown) => e);
    for (const gap of [viaDirect, viaClient]) {
      t.true(gap instanceof ConnectError, String(gap));
      t.is((gap as ConnectError).code, Code.FailedPrecondition);
      t.is((gap as ConnectError).findDetails(LogGapSchema)[0]?.committedOffset, end, "the gap answer carries the committed offset");
    }
    t.is((viaDirect as ConnectError).rawMessage, (viaClient as ConnectError).rawMessage);

    // Refusals: the same code and message through both paths, and none is retried by the shipper.
    const refusals: Array<[string, () => Promise<unknown>, () => Promise<unknown>]> = [
      ["another worker", () => direct("w2", "token-of-worker-two")(expected.length, Buffer.from("evil")),
        () => w2.appendLog({ runId, runToken: a.runToken, offset: end, data: Buffer.from("evil") })],
      ["a forged run token", () => direct("w1", "token-of-worker-one", "forged")(expected.length, Buffer.from("evil")),
        () => w1.appendLog({ runId, runToken: "forged", offset: end, data: Buffer.from("evil") })],
      ["a wrong worker token", () => direct("w1", "wrong-token-xxxxxxxx")(expected.length, Buffer.from("evil")),
        () => workerClient(server.url, "w1", "wrong-token-xxxxxxxx").appendLog({ runId, runToken: a.runToken, offset: end, data: Buffer.from("evil") })],
    ];
    const expectedCodes = ["PermissionDenied", "PermissionDenied", "Unauthenticated"];
    for (const [i, [what, viaD, viaC]] of refusals.entries()) {
      const d = await outcome(viaD());
      t.is(d, await outcome(viaC()), what);
      t.true(d.startsWith(`${expectedCodes[i]}:`), `${what}: ${d}`);
      const e = await viaD().catch((x: unknown) => x);
      t.is(retryConnectErrors(e), "fail", `${what} is final`);
    }

    await w1.updateRun({ runId, runToken: a.runToken, status: Status.PASSED, message: "exit code 0" });
    const late = await outcome(append(expected.length, Buffer.from("late")));
    t.is(late, await outcome(w1.appendLog({ runId, runToken: a.runToken, offset: end, data: Buffer.from("late") })));
    t.true(late.startsWith("PermissionDenied:"), `the run token dies with the run: ${late}`);

    const runs = apiClient(RunService, server.url);
    const parts: Buffer[] = [];
    for await (const m of runs.tailLog({ ref: { project: "p", buildNumber: 1, run: a.definition!.runName } })) parts.push(Buffer.from(m.data));
    t.true(Buffer.concat(parts).equals(expected), "the stored log is exactly what was written");
  });
}

test("a connection broken before the answer is Code.Unavailable (retried); a non-Connect answer maps by its HTTP status", async (t) => {
  // A listener that reads the request and hangs up without answering.
  const rude = net.createServer((s) => { s.once("data", () => s.destroy()); });
  await new Promise<void>((resolve) => rude.listen(0, "127.0.0.1", resolve));
  t.teardown(() => rude.close());
  const port = (rude.address() as net.AddressInfo).port;
  const cut = await directAppendLog({ serverUrl: `http://127.0.0.1:${port}`, workerName: "w", workerToken: "t", runId: 1n, runToken: "r" })(0, Buffer.alloc(300_000, 1))
    .then(() => undefined, (e: unknown) => e);
  t.true(cut instanceof ConnectError, String(cut));
  t.is((cut as ConnectError).code, Code.Unavailable);
  t.is(retryConnectErrors(cut), "retry");

  // A proxy's plain 502 page: Unavailable by its status, as Connect's client maps it.
  const proxy = net.createServer((s) => {
    s.once("data", () => s.end("HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/html\r\ncontent-length: 5\r\nconnection: close\r\n\r\noops!"));
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  t.teardown(() => proxy.close());
  const bad = await directAppendLog({ serverUrl: `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`, workerName: "w", workerToken: "t", runId: 1n, runToken: "r" })(0, Buffer.from("x"))
    .then(() => undefined, (e: unknown) => e);
  t.true(bad instanceof ConnectError, String(bad));
  t.is((bad as ConnectError).code, Code.Unavailable);
  t.is(retryConnectErrors(bad), "retry");
});
