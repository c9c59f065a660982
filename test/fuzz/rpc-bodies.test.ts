// Fuzz: mutated unary RPC bodies on every wire protocol (Connect JSON and
// proto, gRPC-web, gRPC over HTTP/2) against a real server process: valid
// requests of a dozen methods, damaged structurally (JSON) or byte by byte
// (protobuf, envelopes: wrong lengths, the compressed flag without
// grpc-encoding, trailing frames), with and without credentials. No answer
// may be a server fault (5xx; gRPC UNKNOWN, INTERNAL, UNAVAILABLE) or slower
// than the bound; /healthz stays quick (issue 9).
// Seeded: JOBSERV_FUZZ_SEED / JOBSERV_FUZZ_CASES.
import { create, toBinary, toJson, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import type { GenService } from "@bufbuild/protobuf/codegenv2";
import test from "ava";
import { BuildService } from "../../gen/jobserv/v1/build_pb.js";
import { ProjectService } from "../../gen/jobserv/v1/project_pb.js";
import { RunService } from "../../gen/jobserv/v1/run_pb.js";
import { TokenService } from "../../gen/jobserv/v1/token_pb.js";
import { WorkerAdminService } from "../../gen/jobserv/v1/worker_admin_pb.js";
import { WorkerService } from "../../gen/jobserv/v1/worker_pb.js";
import { adminHeaders } from "../support/auth.js";
import { PASS_FAIL_YAML } from "../support/projects.js";
import { caseRng, fuzzConfig, FuzzLog, startHealthPoller } from "./support/harness.js";
import { connectJson, startFuzzServer } from "./support/fuzz-server.js";
import { mutateBytes, mutateValue } from "./support/mutate.js";
import { envelope, grpcSession, sendHttp1, WIRE_PROTOCOLS } from "./support/rpc-wire.js";

interface Call { path: string; schema: DescMessage; init: unknown }

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function call<S extends GenService<any>>(service: S, method: keyof S["method"] & string, init: MessageInitShape<S["method"][typeof method]["input"]>): Call {
  const m = service.method[method] as { name: string; input: DescMessage; parent: { typeName: string } };
  return { path: `/${m.parent.typeName}/${m.name}`, schema: m.input, init };
}

const REF = { project: "fz", buildNumber: 1, run: "good" };
const CALLS: readonly Call[] = [
  call(ProjectService, "createProject", { name: "fz-new", definitionYaml: PASS_FAIL_YAML }),
  call(ProjectService, "updateProject", { name: "fz", definitionYaml: PASS_FAIL_YAML }),
  call(ProjectService, "getProject", { name: "fz" }),
  call(ProjectService, "listProjects", {}),
  call(ProjectService, "setTriggerSecrets", { project: "fz", triggerName: "ci", secrets: { a: "b" } }),
  call(BuildService, "triggerBuild", { project: "fz", triggerName: "ci", params: { GREETING: "hi" }, reason: "fuzz" }),
  call(BuildService, "getBuild", { project: "fz", number: 1 }),
  call(BuildService, "listBuilds", { project: "fz" }),
  call(BuildService, "annotateBuild", { project: "fz", number: 1 }),
  call(RunService, "getRun", { ref: REF }),
  call(RunService, "listRuns", { project: "fz", buildNumber: 1 }),
  call(RunService, "getRunDefinition", { ref: REF }),
  call(TokenService, "listTokens", {}),
  call(WorkerAdminService, "listWorkers", {}),
  call(WorkerService, "registerWorker", { name: "fz-w", token: "fz-worker-token-0123456789", hostTags: ["x"], concurrency: 1, registrationSecret: "wrong" }),
  call(WorkerService, "appendLog", { runId: 1n, runToken: "nope", offset: 0n, data: new Uint8Array([104, 105, 10]) }),
  call(WorkerService, "updateRun", { runId: 1n, runToken: "nope" }),
];

test("mutated RPC bodies on every protocol: no server fault, every answer within the bound, /healthz quick", async (t) => {
  const cfg = fuzzConfig(0x5eed0003, 2000);
  const server = await startFuzzServer(t);
  t.is((await connectJson(server.url, "jobserv.v1.ProjectService/CreateProject", { name: "fz", definitionYaml: PASS_FAIL_YAML })).status, 200);
  t.is((await connectJson(server.url, "jobserv.v1.BuildService/TriggerBuild", { project: "fz", triggerName: "ci" })).status, 200);
  const grpc = grpcSession(server.url);
  t.teardown(() => grpc.close());
  // Warm-up: each call once, valid, on each protocol.
  for (const c of CALLS) {
    const msg = create(c.schema, c.init as never);
    for (const protocol of WIRE_PROTOCOLS) {
      const bin = toBinary(c.schema, msg);
      if (protocol === "grpc") await grpc.send(c.path, envelope(bin), adminHeaders);
      else await sendHttp1(server.url, protocol, c.path, protocol === "connect-json" ? Buffer.from(JSON.stringify(toJson(c.schema, msg))) : protocol === "grpc-web" ? envelope(bin) : bin, adminHeaders);
    }
  }
  const log = new FuzzLog("rpc-bodies", cfg);
  const health = await startHealthPoller(t, server.url);
  await log.runAll((i) => {
    const r = caseRng(cfg.seed, i);
    const c = r.pick(CALLS);
    const protocol = r.pick(WIRE_PROTOCOLS);
    const msg = create(c.schema, c.init as never);
    let what = `${protocol} ${c.path}`;
    let body: Uint8Array;
    if (protocol === "connect-json") {
      let value: unknown = toJson(c.schema, msg);
      if (r.int(4) !== 0) {
        const m = mutateValue(r, value, r.int(30) === 0);
        value = m.value;
        what += `: ${m.what}`;
      }
      body = Buffer.from(JSON.stringify(value));
      if (r.int(3) === 0) {
        const m = mutateBytes(r, body);
        body = m.value;
        what += `; ${m.what}`;
      }
    } else {
      let bin: Uint8Array = toBinary(c.schema, msg);
      if (r.int(4) !== 0) {
        const m = mutateBytes(r, bin);
        bin = m.value;
        what += `: ${m.what}`;
      }
      if (protocol === "connect-proto") body = bin;
      else {
        // The envelope itself, sometimes wrong: compressed flag without grpc-encoding, a length that lies, a second frame.
        switch (r.int(6)) {
          case 0: body = envelope(bin, 1); what += "; compressed flag, no grpc-encoding"; break;
          case 1: { const len = r.int(1 << 20); body = envelope(bin, 0, len); what += `; declared length ${len}`; break; }
          case 2: body = Buffer.concat([envelope(bin), envelope(bin)]); what += "; two frames"; break;
          case 3: { const m = mutateBytes(r, envelope(bin)); body = m.value; what += `; envelope: ${m.what}`; break; }
          default: body = envelope(bin);
        }
      }
    }
    const headers = r.int(8) === 0 ? {} : adminHeaders;
    if (headers !== adminHeaders) what += "; no credentials";
    return { kind: `${protocol} ${c.path.split("/").pop()}`, what,
      send: () => protocol === "grpc" ? grpc.send(c.path, body, headers) : sendHttp1(server.url, protocol, c.path, body, headers) };
  });
  log.assert(t, await health.stop());
});
