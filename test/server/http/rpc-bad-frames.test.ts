// Malformed binary input answers invalid_argument on every protocol (HTTP 400
// for Connect unary, grpc-status 3 for gRPC and gRPC-web), the way the same
// garbage as JSON does, and is not logged as a server fault.
import test from "ava";
import { freshDatabaseUrl } from "../../support/db.js";
import { envelope, h1Call, h2Call, type RawAnswer } from "../../support/raw-rpc.js";
import { ServerProcess } from "../../support/server-process.js";

const UNARY = "/jobserv.v1.BuildService/GetBuild";
const STREAM = "/jobserv.v1.BuildService/WatchBuild";
/** Field 1 (a string) said to be 4 GiB long: no protobuf parser can read it. */
const GARBAGE = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]);
const COMPRESSED = 1;

test("garbage and impossible frames answer invalid_argument on every protocol, never logged as errors", async (t) => {
  const server = await ServerProcess.start(t, await freshDatabaseUrl(t, "sqlite"), { JOBSERV_LOG_LEVEL: "info" });
  const cases: Array<[string, () => Promise<RawAnswer>, number?]> = [
    ["Connect unary, HTTP/1.1", () => h1Call(server.url, "connect", UNARY, {}, { chunks: [GARBAGE] }), 400],
    ["Connect unary, HTTP/2", () => h2Call(server.url, "connect", UNARY, {}, { chunks: [GARBAGE] }), 400],
    ["Connect server stream, HTTP/1.1", () => h1Call(server.url, "connect-stream", STREAM, {}, { chunks: [envelope(GARBAGE)] })],
    ["Connect server stream, compressed flag without an encoding", () => h1Call(server.url, "connect-stream", STREAM, {}, { chunks: [envelope(Buffer.alloc(0), COMPRESSED)] })],
    ["gRPC unary", () => h2Call(server.url, "grpc", UNARY, {}, { chunks: [envelope(GARBAGE)] })],
    ["gRPC server stream", () => h2Call(server.url, "grpc", STREAM, {}, { chunks: [envelope(GARBAGE)] })],
    ["gRPC, compressed flag without grpc-encoding", () => h2Call(server.url, "grpc", UNARY, {}, { chunks: [envelope(Buffer.alloc(0), COMPRESSED)] })],
    ["gRPC, a frame cut short", () => h2Call(server.url, "grpc", UNARY, {}, { chunks: [envelope(GARBAGE).subarray(0, 8)] })],
    ["gRPC-web unary, HTTP/1.1", () => h1Call(server.url, "grpc-web", UNARY, {}, { chunks: [envelope(GARBAGE)] })],
    ["gRPC-web, compressed flag without grpc-encoding", () => h1Call(server.url, "grpc-web", UNARY, {}, { chunks: [envelope(Buffer.alloc(0), COMPRESSED)] })],
  ];
  const got: string[] = [], want: string[] = [];
  for (const [name, call, httpStatus] of cases) {
    const answer = await call();
    got.push(`${name}: ${answer.code}${httpStatus ? ` (HTTP ${answer.status})` : ""}`);
    want.push(`${name}: invalid_argument${httpStatus ? ` (HTTP ${httpStatus})` : ""}`);
    t.log(`${name}: ${answer.code} ${answer.message}`);
  }
  t.deepEqual(got, want);
  // The server writes its logs asynchronously: give the last lines a moment.
  await new Promise((r) => setTimeout(r, 300));
  const faults = server.output().split("\n").filter((l) => /"level":(50|60)/.test(l) || /handler for rpc .* failed/.test(l));
  t.deepEqual(faults, [], "no decode failure is logged as a server fault");
});
