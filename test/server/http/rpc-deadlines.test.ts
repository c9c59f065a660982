// Deadlines are honoured on every protocol, also while the request body is
// still being read: a half-open stream (headers sent, a frame cut short, the
// body never finished) with a 5 s deadline is answered deadline_exceeded in
// about 5 s. Without a deadline, a body that stalls is given up after the idle
// time. A server stream with a deadline ends with deadline_exceeded when it
// passes, even with nothing to send.
import { Code, ConnectError } from "@connectrpc/connect";
import test from "ava";
import { BuildService } from "../../../gen/jobserv/v1/build_pb.js";
import { ProjectService } from "../../../gen/jobserv/v1/project_pb.js";
import { apiClient, clientProtocols } from "../../support/clients.js";
import { PASS_FAIL_YAML } from "../../support/projects.js";
import { envelope, h1Call, h2Call, type RawAnswer } from "../../support/raw-rpc.js";
import { startTestServer } from "../../support/server.js";

const UNARY = "/jobserv.v1.BuildService/GetBuild";
const STREAM = "/jobserv.v1.BuildService/WatchBuild";
/** A frame announcing 100 bytes, of which only the first 10 ever come. */
const CUT_FRAME = envelope(Buffer.alloc(100, 0x0a)).subarray(0, 15);
const HALF_OPEN = { chunks: [CUT_FRAME], keepOpen: true };

async function timed(calls: Record<string, () => Promise<RawAnswer>>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  await Promise.all(Object.entries(calls).map(async ([name, call]) => {
    const a = await call();
    out[name] = `${a.code} after ${(a.ms / 1000).toFixed(1)} s`;
  }));
  return out;
}

test.serial("a half-open request with a 5 s deadline is answered deadline_exceeded within about 6 s (7 on a loaded machine), on every protocol", async (t) => {
  const server = await startTestServer(t, "sqlite");
  const grpc = { "grpc-timeout": "5S" };
  const connect = { "connect-timeout-ms": "5000" };
  const answers = await timed({
    "gRPC unary": () => h2Call(server.url, "grpc", UNARY, grpc, HALF_OPEN),
    "gRPC server stream": () => h2Call(server.url, "grpc", STREAM, grpc, HALF_OPEN),
    "gRPC-web unary, HTTP/1.1": () => h1Call(server.url, "grpc-web", UNARY, grpc, HALF_OPEN),
    "Connect unary, HTTP/1.1": () => h1Call(server.url, "connect", UNARY, connect, { chunks: [CUT_FRAME.subarray(5)], keepOpen: true }, 100),
    "Connect unary, HTTP/2": () => h2Call(server.url, "connect", UNARY, connect, { chunks: [CUT_FRAME.subarray(5)], keepOpen: true }),
    "Connect server stream, HTTP/1.1": () => h1Call(server.url, "connect-stream", STREAM, connect, HALF_OPEN),
  });
  t.log(answers);
  for (const [name, answer] of Object.entries(answers)) {
    const [code, , seconds] = answer.split(" ");
    t.is(code, "deadline_exceeded", name);
    t.true(Number(seconds) >= 4.9 && Number(seconds) < 7, `${name}: ${answer}`);
  }
});

test.serial("without a deadline, a body that stops sending is given up after the idle time", async (t) => {
  const server = await startTestServer(t, "sqlite", { rpcBodyIdleMs: 1_000 });
  const answers = await timed({
    "gRPC unary": () => h2Call(server.url, "grpc", UNARY, {}, HALF_OPEN),
    "gRPC-web unary, HTTP/1.1": () => h1Call(server.url, "grpc-web", UNARY, {}, HALF_OPEN),
    "Connect unary, HTTP/1.1": () => h1Call(server.url, "connect", UNARY, {}, { chunks: [CUT_FRAME.subarray(5)], keepOpen: true }, 100),
  });
  t.log(answers);
  for (const [name, answer] of Object.entries(answers)) {
    const [code, , seconds] = answer.split(" ");
    t.is(code, "deadline_exceeded", name);
    t.true(Number(seconds) >= 0.9 && Number(seconds) < 3, `${name}: ${answer}`);
  }
});

test.serial("a server stream with a deadline ends with deadline_exceeded when it passes, though it has nothing to send", async (t) => {
  const server = await startTestServer(t, "sqlite");
  await apiClient(ProjectService, server.url).createProject({ name: "p", definitionYaml: PASS_FAIL_YAML });
  await Promise.all(clientProtocols.map(async (protocol) => {
    const started = performance.now();
    const error = await (async () => {
      try {
        for await (const _ of apiClient(BuildService, server.url, protocol).watchBuilds({ project: "p" }, { timeoutMs: 1_500 })) { /* the snapshot, then nothing */ }
      } catch (e) {
        return ConnectError.from(e);
      }
      return undefined;
    })();
    const seconds = (performance.now() - started) / 1000;
    t.is(error?.code, Code.DeadlineExceeded, `${protocol}: ${error?.message}`);
    t.true(seconds < 3, `${protocol}: ended after ${seconds.toFixed(1)} s`);
  }));
});
