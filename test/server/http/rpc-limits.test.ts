// RPC request bodies are limited per method and refused before they are
// buffered: by Content-Length before a byte is read, else once they pass the
// limit; and the caller is authenticated before the body is read, so four
// anonymous 256 MiB uploads at once cost the server next to no memory and are
// answered while the clients are still sending.
import { readFileSync } from "node:fs";
import { create, toBinary } from "@bufbuild/protobuf";
import test from "ava";
import { AppendLogRequestSchema, WorkerService } from "../../../gen/jobserv/v1/worker_pb.js";
import { adminHeaders } from "../../support/auth.js";
import { apiClient } from "../../support/clients.js";
import { freshDatabaseUrl } from "../../support/db.js";
import { envelope, h1Call, h2Call } from "../../support/raw-rpc.js";
import { ServerProcess } from "../../support/server-process.js";
import { WORKER_SECRET } from "../../support/server.js";

const MiB = 1024 * 1024;
const TRIGGER = "/jobserv.v1.BuildService/TriggerBuild";
const APPEND_LOG = "/jobserv.v1.WorkerService/AppendLog";
const CREATE_PROJECT = "/jobserv.v1.ProjectService/CreateProject";

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m![1]) * 1024;
}

/** A gRPC frame header announcing `length` bytes; the bytes follow as zeros. */
function frameHead(length: number): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(length, 1);
  return head;
}

test.serial("four anonymous 256 MiB uploads at once: unauthenticated while they are still sending, server memory barely moves", async (t) => {
  const server = await ServerProcess.start(t, await freshDatabaseUrl(t, "sqlite"), { JOBSERV_LOG_LEVEL: "info" });
  const pid = server.pid!;
  const before = rssBytes(pid);
  let peak = before;
  const sampler = setInterval(() => { peak = Math.max(peak, rssBytes(pid)); }, 20);
  const total = 256 * MiB;
  const upload = { repeat: { first: frameHead(total - 5), chunk: Buffer.alloc(MiB), total } };
  try {
    const answers = await Promise.all([
      h2Call(server.url, "grpc", TRIGGER, {}, upload),
      h2Call(server.url, "grpc", TRIGGER, {}, upload),
      h2Call(server.url, "grpc", APPEND_LOG, {}, upload),
      h1Call(server.url, "grpc-web", TRIGGER, {}, upload),
    ]);
    for (const a of answers) {
      t.is(a.code, "unauthenticated", a.message);
      t.true(a.sentWhenAnswered < total, `answered after ${a.sentWhenAnswered} of ${total} bytes`);
    }
  } finally {
    clearInterval(sampler);
  }
  peak = Math.max(peak, rssBytes(pid));
  t.log(`server RSS ${Math.round(before / MiB)} MiB before, peak ${Math.round(peak / MiB)} MiB`);
  t.true(peak - before < 64 * MiB, `RSS grew by ${Math.round((peak - before) / MiB)} MiB`);
});

test.serial("Content-Length over the limit is refused before a byte is sent; credentials are checked before the body; AppendLog has its own limit", async (t) => {
  const server = await ServerProcess.start(t, await freshDatabaseUrl(t, "sqlite"), { JOBSERV_LOG_LEVEL: "info", JOBSERV_RPC_MAX_BYTES: String(MiB) });
  const headersOnly = { chunks: [], keepOpen: true };
  const anonymous = await h1Call(server.url, "connect", TRIGGER, {}, headersOnly, 256 * MiB);
  t.deepEqual([anonymous.status, anonymous.code, anonymous.sentWhenAnswered], [401, "unauthenticated", 0], anonymous.message);
  const badToken = await h1Call(server.url, "connect", CREATE_PROJECT, { authorization: "Bearer jst_nobody" }, headersOnly, 256 * MiB);
  t.deepEqual([badToken.status, badToken.code, badToken.sentWhenAnswered], [401, "unauthenticated", 0], badToken.message);
  const tooLarge = await h1Call(server.url, "connect", CREATE_PROJECT, adminHeaders, headersOnly, 2 * MiB);
  t.deepEqual([tooLarge.code, tooLarge.sentWhenAnswered], ["resource_exhausted", 0], tooLarge.message);
  t.regex(tooLarge.message, /limit of 1048576 bytes/);
  // Without a Content-Length (gRPC): refused once past the limit, the rest never read.
  const streamed = await h2Call(server.url, "grpc", CREATE_PROJECT, adminHeaders, { repeat: { first: frameHead(8 * MiB), chunk: Buffer.alloc(64 * 1024), total: 8 * MiB + 5 } });
  t.is(streamed.code, "resource_exhausted", streamed.message);
  t.true(streamed.sentWhenAnswered < 8 * MiB, `answered after ${streamed.sentWhenAnswered} bytes`);

  // A worker's AppendLog may carry more than the general limit (its own, 16 MiB by default).
  await apiClient(WorkerService, server.url, "grpc", null).registerWorker({ name: "w1", token: "worker-token-0123456789", registrationSecret: WORKER_SECRET, concurrency: 1 });
  const worker = { "jobserv-worker": "w1", authorization: "Bearer worker-token-0123456789" };
  const append = toBinary(AppendLogRequestSchema, create(AppendLogRequestSchema, { runId: 999n, runToken: "x", offset: 0n, data: Buffer.alloc(3 * MiB, 0x61) }));
  const appended = await h2Call(server.url, "grpc", APPEND_LOG, worker, { chunks: [envelope(append)] });
  t.not(appended.code, "resource_exhausted", appended.message);
  t.not(appended.code, "unauthenticated", appended.message);
  const notAWorker = await h2Call(server.url, "grpc", APPEND_LOG, { ...worker, authorization: "Bearer wrong-token-0123456789" }, { repeat: { first: frameHead(256 * MiB), chunk: Buffer.alloc(MiB), total: 256 * MiB } });
  t.is(notAWorker.code, "unauthenticated", notAWorker.message);
  t.true(notAWorker.sentWhenAnswered < 256 * MiB);
});
