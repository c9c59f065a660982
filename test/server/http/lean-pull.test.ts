// The worker's Pull as the lean stream answers it (server/http/lean-stream.ts),
// on real sockets over every protocol the port serves (Connect over HTTP/1.1
// and HTTP/2, gRPC-web over HTTP/1.1, gRPC over HTTP/2): refusals carry the
// same codes as Connect's handler gave (unauthenticated, permission_denied for
// a worker not enlisted or naming another worker), an open stream pings at
// once and then every JOBSERV_WORKER_PING_MS, and a client that goes away frees its session (the connected-workers
// gauge drops, the call is timed as Canceled); its body is held to the same
// limits and decoded with the same codes (raw frames on real sockets). Calls
// the lean path leaves to Connect's router (JSON, a deadline) still work.
import { create, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import test from "ava";
import { PullRequestSchema, WorkerService } from "../../../gen/jobserv/v1/worker_pb.js";
import { clientProtocols, eventually, transportFor, type ClientProtocol } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { parsePrometheus } from "../../support/prometheus.js";
import { envelope, h1Call, h2Call, type RawAnswer } from "../../support/raw-rpc.js";
import { startTestServer, WORKER_SECRET } from "../../support/server.js";

const TOKEN = "lean-pull-token-0123456789";

function workerClient(baseUrl: string, protocol: ClientProtocol, name: string, token = TOKEN): Client<typeof WorkerService> {
  const identify: Interceptor = (next) => (req) => {
    if (name) req.header.set("jobserv-worker", name);
    if (token) req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };
  return createClient(WorkerService, transportFor(baseUrl, protocol, [identify]));
}

/** The first message of a Pull, or the error it ended with. */
async function firstOf(client: Client<typeof WorkerService>, workerName: string, signal?: AbortSignal): Promise<string | ConnectError> {
  try {
    for await (const m of client.pull({ workerName }, { signal })) return m.action.case ?? "";
    return "ended";
  } catch (e) {
    return ConnectError.from(e);
  }
}

async function scrape(url: string) {
  return parsePrometheus(await (await fetch(`${url}/metrics`)).text());
}

for (const dialect of dialects) {
  test(`${dialect}: Pull refusals carry Connect's codes on every protocol`, async (t) => {
    const server = await startTestServer(t, dialect);
    const admin = workerClient(server.url, "connect-h1", "");
    await admin.registerWorker({ name: "on", token: TOKEN, hostTags: ["x"], concurrency: 1, registrationSecret: WORKER_SECRET });
    await admin.registerWorker({ name: "off", token: TOKEN, hostTags: ["x"], concurrency: 1 });
    for (const protocol of clientProtocols) {
      const cases: [string, Client<typeof WorkerService>, string, Code, RegExp][] = [
        ["no credentials", workerClient(server.url, protocol, "", ""), "on", Code.Unauthenticated, /jobserv-worker and authorization/],
        ["wrong token", workerClient(server.url, protocol, "on", "wrong-token-0123456789"), "on", Code.Unauthenticated, /unknown worker or wrong token/],
        ["not enlisted", workerClient(server.url, protocol, "off"), "off", Code.PermissionDenied, /not enlisted yet/],
        ["worker_name mismatch", workerClient(server.url, protocol, "on"), "off", Code.PermissionDenied, /worker_name does not match/],
      ];
      for (const [what, client, workerName, code, message] of cases) {
        const got = await firstOf(client, workerName);
        t.true(got instanceof ConnectError, `${protocol}, ${what}: an error, not ${String(got)}`);
        t.is((got as ConnectError).code, code, `${protocol}, ${what}: ${(got as ConnectError).rawMessage}`);
        t.regex((got as ConnectError).rawMessage, message, `${protocol}, ${what}`);
      }
    }
    t.is((await scrape(server.url)).get("jobserv_connected_workers"), 0, "no refused call left a session");
  });

  test(`${dialect}: a Pull pings at once, and a client that goes away frees its session, on every protocol`, async (t) => {
    const server = await startTestServer(t, dialect);
    let n = 0;
    for (const protocol of clientProtocols) {
      const name = `w-${protocol}`;
      const client = workerClient(server.url, protocol, name);
      await client.registerWorker({ name, token: TOKEN, hostTags: ["x"], concurrency: 1, registrationSecret: WORKER_SECRET });
      const stop = new AbortController();
      const messages: string[] = [];
      const open = new Promise<void>((resolve) => {
        void (async () => {
          try {
            for await (const m of client.pull({ workerName: name }, { signal: stop.signal })) {
              messages.push(m.action.case ?? "");
              resolve();
            }
          } catch { /* aborted below */ }
        })();
      });
      await open;
      t.deepEqual(messages, ["ping"], `${protocol}: the first Ping comes at once`);
      t.is((await scrape(server.url)).get("jobserv_connected_workers"), 1, `${protocol}: the session is open`);
      stop.abort();
      n++;
      const after = await eventually(async () => {
        const m = await scrape(server.url);
        const canceled = m.all("jobserv_rpc_duration_seconds_count").find((x) => x.labels["method"] === "jobserv.v1.WorkerService/Pull" && x.labels["code"] === "Canceled");
        return m.get("jobserv_connected_workers") === 0 && canceled?.value === n ? m : undefined;
      }, 10_000, `${protocol}: the session to be freed`);
      t.is(after.get("jobserv_connected_workers"), 0, `${protocol}: the session is gone`);
    }
  });
}

test("an open Pull gets a Ping every JOBSERV_WORKER_PING_MS, each one whole (one frame written to every stream), on every protocol", async (t) => {
  const server = await startTestServer(t, "sqlite", { workerPingMs: 160 });
  const spans = await Promise.all(clientProtocols.map(async (protocol) => {
    const name = `w-pings-${protocol}`;
    const client = workerClient(server.url, protocol, name);
    await client.registerWorker({ name, token: TOKEN, hostTags: ["x"], concurrency: 1, registrationSecret: WORKER_SECRET });
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), 10_000);
    const at: number[] = [];
    try {
      for await (const m of client.pull({ workerName: name }, { signal: stop.signal })) {
        t.is(m.action.case, "ping", `${protocol}: only Pings`);
        at.push(performance.now());
        if (at.length === 5) break;
      }
    } catch { /* aborted: too few below */ }
    clearTimeout(timer);
    t.is(at.length, 5, `${protocol}: five Pings within 10 s (20 s apart by default, they would take 80 s)`);
    return at[4]! - at[1]!;
  }));
  // One at once, then one per 160 ms period: the second to the fifth are three periods apart (less a late tick's delay), not sent in a burst.
  t.true(spans.every((ms) => ms >= 2 * 160), `from the second Ping to the fifth (ms): ${spans.map((ms) => ms.toFixed(0)).join(", ")}`);
});

test("Pull calls the lean path leaves to Connect's router: JSON, and a deadline that passes", async (t) => {
  const server = await startTestServer(t, "sqlite");
  const client = workerClient(server.url, "connect-h1", "j");
  await client.registerWorker({ name: "j", token: TOKEN, hostTags: ["x"], concurrency: 1, registrationSecret: WORKER_SECRET });
  const json = createClient(WorkerService, createConnectTransport({
    baseUrl: server.url, httpVersion: "1.1", useBinaryFormat: false,
    interceptors: [(next) => (req) => { req.header.set("jobserv-worker", "j"); req.header.set("authorization", `Bearer ${TOKEN}`); return next(req); }],
  }));
  const stop = new AbortController();
  t.is(await firstOf(json, "j", stop.signal), "ping", "a JSON Pull is answered");
  stop.abort();
  const started = performance.now();
  const late = await (async () => {
    try {
      for await (const m of client.pull({ workerName: "j" }, { timeoutMs: 1_000 })) void m;
      return "ended";
    } catch (e) {
      return ConnectError.from(e);
    }
  })();
  t.true(late instanceof ConnectError && late.code === Code.DeadlineExceeded, `a Pull with a deadline ends when it passes: ${String(late)}`);
  t.true(performance.now() - started >= 900, "not before");
});

test("Pull's body: frames it cannot read, a body over the limit or one that stalls, answered as before on every protocol", async (t) => {
  const server = await startTestServer(t, "sqlite", { rpcMaxBytes: 64 * 1024, rpcBodyIdleMs: 500 });
  const client = workerClient(server.url, "connect-h1", "raw");
  await client.registerWorker({ name: "raw", token: TOKEN, hostTags: ["x"], concurrency: 1, registrationSecret: WORKER_SECRET });
  const who = { "jobserv-worker": "raw", authorization: `Bearer ${TOKEN}` };
  const PULL = "/jobserv.v1.WorkerService/Pull";
  const good = envelope(toBinary(PullRequestSchema, create(PullRequestSchema, { workerName: "raw" })));
  const garbage = envelope(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]));
  const bodies: [string, Parameters<typeof h1Call>[4], string, number?][] = [
    ["garbage", { chunks: [garbage] }, "invalid_argument"],
    ["compressed flag without an encoding", { chunks: [envelope(Buffer.alloc(0), 1)] }, "invalid_argument"],
    ["a frame cut short", { chunks: [garbage.subarray(0, 8)] }, "invalid_argument"],
    ["no message", { chunks: [] }, "unimplemented"],
    ["two messages", { chunks: [good, good] }, "unimplemented"],
    ["a body that stalls", { chunks: [good.subarray(0, 3)], keepOpen: true }, "deadline_exceeded"],
    ["Content-Length over the limit", { chunks: [], keepOpen: true }, "resource_exhausted", 64 * 1024 + 1],
  ];
  const got: string[] = [], want: string[] = [];
  for (const [wire, call] of [
    ["Connect, HTTP/1.1", (h: Record<string, string>, b: Parameters<typeof h1Call>[4], n?: number) => h1Call(server.url, "connect-stream", PULL, h, b, n)],
    ["gRPC-web, HTTP/1.1", (h: Record<string, string>, b: Parameters<typeof h1Call>[4], n?: number) => h1Call(server.url, "grpc-web", PULL, h, b, n)],
    ["Connect, HTTP/2", (h: Record<string, string>, b: Parameters<typeof h1Call>[4], n?: number) => h2Call(server.url, "connect-stream", PULL, n === undefined ? h : { ...h, "content-length": String(n) }, b)],
    ["gRPC", (h: Record<string, string>, b: Parameters<typeof h1Call>[4], n?: number) => h2Call(server.url, "grpc", PULL, n === undefined ? h : { ...h, "content-length": String(n) }, b)],
  ] as const) {
    for (const [what, body, code, length] of bodies) {
      const answer: RawAnswer = await call(who, body, length);
      got.push(`${wire}, ${what}: ${answer.code}`);
      want.push(`${wire}, ${what}: ${code}`);
    }
    const anonymous = await call({}, { chunks: [], keepOpen: true }, 64 * 1024 * 1024);
    got.push(`${wire}, no credentials and a large body: ${anonymous.code}`);
    want.push(`${wire}, no credentials and a large body: unauthenticated`);
  }
  t.deepEqual(got, want);
  t.is((await scrape(server.url)).get("jobserv_connected_workers"), 0, "no refused call left a session");
});
