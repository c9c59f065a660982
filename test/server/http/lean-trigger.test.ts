// TriggerBuild as the lean unary path answers it (server/lean-trigger-call.ts),
// on real sockets over every binary protocol the port serves (Connect unary
// over HTTP/1.1 and HTTP/2, gRPC-web, gRPC): the same answers, codes and
// messages as Connect's router gives the same calls in JSON (which it still
// serves), for a trigger that goes ahead and for every kind of refusal (no
// token, a bad token, a token without the scope or for another project, an
// unknown project or trigger, bad params; a large body without credentials);
// the caller's request id echoed,
// and each call timed in the metrics (which the router's request gate does not
// do for its refusals: so the binary calls were the lean path's).
import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import test from "ava";
import { BuildService, type TriggerBuildRequest } from "../../../gen/jobserv/v1/build_pb.js";
import { ProjectService } from "../../../gen/jobserv/v1/project_pb.js";
import { Scope, TokenService } from "../../../gen/jobserv/v1/token_pb.js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { TriggerBuildRequestSchema } from "../../../gen/jobserv/v1/build_pb.js";
import { apiClient, clientProtocols, transportFor, type ClientProtocol } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { loopRunsYaml } from "../../support/projects.js";
import { parsePrometheus } from "../../support/prometheus.js";
import { startTestServer } from "../../support/server.js";
import { TEST_ADMIN_TOKEN } from "../../support/auth.js";

type Wire = ClientProtocol | "json";
const WIRES: readonly Wire[] = ["json", ...clientProtocols];

function buildClient(baseUrl: string, wire: Wire, token: string | null, seen: (requestId: string | null) => void) {
  const identify: Interceptor = (next) => async (req) => {
    if (token !== null) req.header.set("authorization", `Bearer ${token}`);
    req.header.set("x-request-id", `req-${wire}`);
    try {
      const res = await next(req);
      seen(res.header.get("x-request-id"));
      return res;
    } catch (e) {
      seen(ConnectError.from(e).metadata.get("x-request-id"));
      throw e;
    }
  };
  const transport = wire === "json"
    ? createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: false, interceptors: [identify] })
    : transportFor(baseUrl, wire, [identify]);
  return createClient(BuildService, transport);
}

/** A build as answered, without what differs from one trigger to the next (its number and time), or the error's code and message. */
const outcome = (p: Promise<{ build?: { number: number } }>): Promise<string> =>
  p.then((r) => `ok ${JSON.stringify(r, (k, v: unknown) => (k === "$typeName" || k === "number" || k === "buildNumber" || k === "createTime" ? undefined
    : typeof v === "bigint" ? v.toString() : v))}`,
  (e: unknown) => { const c = ConnectError.from(e); return `${Code[c.code]}: ${c.rawMessage}`; });

for (const dialect of dialects) {
  test(`${dialect}: TriggerBuild answers alike on every binary protocol (lean) and in JSON (the router's)`, async (t) => {
    const server = await startTestServer(t, dialect);
    const projects = apiClient(ProjectService, server.url);
    await projects.createProject({ name: "p", definitionYaml: loopRunsYaml([1, 2], { params: { GREETING: "hi" } }) });
    await projects.createProject({ name: "q", definitionYaml: loopRunsYaml([1]) });
    const tokens = apiClient(TokenService, server.url);
    const reader = (await tokens.createToken({ name: "reader", scope: Scope.READ, projects: ["p"] })).secret;
    const otherTrigger = (await tokens.createToken({ name: "q-trigger", scope: Scope.TRIGGER, projects: ["q"] })).secret;
    const trigger = (await tokens.createToken({ name: "p-trigger", scope: Scope.TRIGGER, projects: ["p"] })).secret;

    type Req = MessageInitShape<typeof TriggerBuildRequestSchema>;
    const cases: [string, string | null, Req][] = [
      ["admin", TEST_ADMIN_TOKEN, { project: "p", triggerName: "t", params: { GREETING: "hello" }, reason: "why" }],
      ["trigger token", trigger, { project: "p", triggerName: "t", queuePriority: 3 }],
      ["no token", null, { project: "p", triggerName: "t" }],
      ["bad token", "jst_not-a-token-0123456789abcdef", { project: "p", triggerName: "t" }],
      ["read-only token", reader, { project: "p", triggerName: "t" }],
      ["another project's token", otherTrigger, { project: "p", triggerName: "t" }],
      ["unknown project", TEST_ADMIN_TOKEN, { project: "nope", triggerName: "t" }],
      ["unknown project, no token", null, { project: "nope", triggerName: "t" }],
      ["unknown trigger", TEST_ADMIN_TOKEN, { project: "p", triggerName: "nope" }],
      ["bad param name", trigger, { project: "p", triggerName: "t", params: { "1x": "y" } }],
      ["bad queue priority", TEST_ADMIN_TOKEN, { project: "p", triggerName: "t", queuePriority: 1_000_001 }],
      ["no project", TEST_ADMIN_TOKEN, { project: "", triggerName: "t" }],
    ];
    const answers = new Map<string, string[]>();
    let numbers: number[] = [];
    for (const wire of WIRES) {
      const ids: (string | null)[] = [];
      const lines: string[] = [];
      for (const [what, token, req] of cases) {
        const call = buildClient(server.url, wire, token, (id) => ids.push(id)).triggerBuild(req as TriggerBuildRequest);
        call.then((r) => numbers.push(r.build!.number), () => {});
        lines.push(`${what}: ${await outcome(call)}`);
      }
      answers.set(wire, lines);
      // (The router's request gate refuses a bad token before its request-id interceptor runs: no id there.)
      if (wire !== "json") t.true(ids.length === cases.length && ids.every((id) => id === `req-${wire}`), `${wire}: the request id comes back on answers and errors: ${ids.join(", ")}`);
    }
    const routed = answers.get("json")!;
    for (const wire of clientProtocols) t.deepEqual(answers.get(wire), routed, `${wire} answers as the router does`);
    // What the router answers, in short: the refusals are the access rules' and the checks' own.
    t.deepEqual(routed.map((l) => l.replace(/^([^:]+): (\w+).*$/, "$1: $2")), [
      "admin: ok", "trigger token: ok", "no token: Unauthenticated", "bad token: Unauthenticated", "read-only token: PermissionDenied",
      "another project's token: NotFound", "unknown project: NotFound", "unknown project, no token: Unauthenticated", "unknown trigger: InvalidArgument",
      "bad param name: InvalidArgument", "bad queue priority: InvalidArgument", "no project: InvalidArgument",
    ]);
    t.regex(routed[0]!, /"reason":"why".*"params":\{"GREETING":"hello"\}/);
    numbers = numbers.sort((a, b) => a - b);
    t.deepEqual(numbers, Array.from({ length: 2 * WIRES.length }, (_, i) => i + 1), "each trigger that went ahead made one build");

    // A caller without credentials may send only a little (over gRPC without a declared length: once it passes the limit).
    // HTTP/2 only: refused mid-body over HTTP/1.1, connect-node's client may see a reset or wait on, the router's answer
    // and the lean path's alike (the raw HTTP/1.1 exchange is lean-unary.test.ts's, whose path this is).
    for (const wire of ["connect-h2", "grpc"] as const) {
      const big = await outcome(buildClient(server.url, wire, null, () => {}).triggerBuild({ project: "p", triggerName: "t", definitionYaml: "x".repeat(200_000) }));
      t.regex(big, /^Unauthenticated: a request without credentials may send at most 65536 bytes/, wire);
    }

    const metrics = parsePrometheus(await (await fetch(`${server.url}/metrics`)).text());
    const count = (code: string) => metrics.get("jobserv_rpc_duration_seconds_count", { method: "jobserv.v1.BuildService/TriggerBuild", code }) ?? 0;
    t.is(count("OK"), 2 * WIRES.length, "each trigger timed once");
    // The router's request gate answers before its interceptors: its refusals (bad tokens) go untimed; the lean path times every call.
    t.is(count("Unauthenticated"), 2 * WIRES.length + clientProtocols.length + 2,
      "callers without a token refused by the handler on every wire; bad tokens and large anonymous bodies by the gate, timed on the lean path only");
    t.is(count("PermissionDenied"), WIRES.length);
  });
}
