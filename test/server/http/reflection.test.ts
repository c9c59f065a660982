// gRPC reflection and health on the API port, as tools see them: `buf curl`
// (a child process) lists services and methods and calls a method with no
// .proto files; a @grpc/grpc-js client discovers a method through reflection
// (v1 and v1alpha), builds a registry from the returned descriptors, and calls
// it; grpc.health.v1 answers SERVING while the store answers, NOT_SERVING
// when its probe fails or hangs.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { create, createFileRegistry, fromBinary, toBinary, type DescService } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { Client, credentials, Metadata, status as grpcStatus, type ServiceError } from "@grpc/grpc-js";
import test from "ava";
import { createClient, createRouterTransport } from "@connectrpc/connect";
import {
  Health, HealthCheckRequestSchema, HealthCheckResponse_ServingStatus as ServingStatus, HealthCheckResponseSchema,
} from "../../../gen/grpc/health/v1/health_pb.js";
import * as v1 from "../../../gen/grpc/reflection/v1/reflection_pb.js";
import * as v1alpha from "../../../gen/grpc/reflection/v1alpha/reflection_pb.js";
import { ProjectService } from "../../../gen/jobserv/v1/project_pb.js";
import { createHealthService } from "../../../server/http/health.js";
import { apiClient, eventually } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { startTestServer } from "../../support/server.js";
import { TEST_ADMIN_TOKEN } from "../../support/auth.js";

const run = promisify(execFile);
const BUF = path.resolve(import.meta.dirname, "../../../node_modules/.bin/buf");
const bufCurl = (...args: string[]) => run(BUF, ["curl", "--protocol", "grpc", "--http2-prior-knowledge", ...args]);

const V1 = `/${v1.ServerReflection.typeName}/ServerReflectionInfo`;
const V1ALPHA = `/${v1alpha.ServerReflection.typeName}/ServerReflectionInfo`;

/** Sends each request on one reflection stream and collects the answers (v1 and v1alpha share the wire format). */
function reflect(client: Client, method: string, requests: v1.ServerReflectionRequest["messageRequest"][]): Promise<v1.ServerReflectionResponse[]> {
  return new Promise((resolve, reject) => {
    const call = client.makeBidiStreamRequest<Uint8Array, v1.ServerReflectionResponse>(method,
      (bytes) => Buffer.from(bytes), (buf) => fromBinary(v1.ServerReflectionResponseSchema, buf), new Metadata());
    const answers: v1.ServerReflectionResponse[] = [];
    call.on("data", (m: v1.ServerReflectionResponse) => { answers.push(m); if (answers.length === requests.length) call.end(); });
    call.on("error", reject);
    call.on("end", () => resolve(answers));
    for (const r of requests) call.write(toBinary(v1.ServerReflectionRequestSchema, create(v1.ServerReflectionRequestSchema, { messageRequest: r })));
  });
}

function unary(client: Client, method: string, body: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const auth = new Metadata();
    auth.set("authorization", `Bearer ${TEST_ADMIN_TOKEN}`);
    client.makeUnaryRequest<Uint8Array, Uint8Array>(method, (b) => Buffer.from(b), (b) => b, body, auth, (err, res) => (err ? reject(err) : resolve(res!)));
  });
}

test("buf curl lists services and methods and calls a method with no .proto files", async (t) => {
  const server = await startTestServer(t, "sqlite");
  const services = (await bufCurl("--list-services", server.url)).stdout.trim().split("\n");
  t.deepEqual(services, [
    "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection",
    "jobserv.v1.BuildService", "jobserv.v1.ProjectService", "jobserv.v1.RunService", "jobserv.v1.TokenService",
    "jobserv.v1.WorkerAdminService", "jobserv.v1.WorkerService",
  ]);
  const methods = (await bufCurl("--list-methods", server.url)).stdout.trim().split("\n");
  for (const m of ["jobserv.v1.ProjectService/GetProject", "jobserv.v1.BuildService/TriggerBuild", "jobserv.v1.RunService/TailLog", "grpc.health.v1.Health/Watch"]) {
    t.true(methods.includes(m), m);
  }
  const alpha = (await bufCurl("--reflect-protocol", "grpc-v1alpha", "--list-methods", server.url)).stdout.trim().split("\n");
  t.deepEqual(alpha, methods, "v1alpha describes the same methods");

  const missing = await bufCurl("-H", `authorization: Bearer ${TEST_ADMIN_TOKEN}`, "-d", '{"name":"x"}', `${server.url}/jobserv.v1.ProjectService/GetProject`).then(() => undefined, (e: { stderr: string; code: number }) => e);
  t.truthy(missing, "an unknown project is an error");
  t.is((JSON.parse(missing!.stderr) as { code: string }).code, "not_found");

  await apiClient(ProjectService, server.url).createProject({ name: "hello", definitionYaml: "timeout: 1\ntriggers:\n  - name: t\n    type: simple\n    runs:\n      - name: r\n        container: img\n        host-tag: x\n        script: s\nscripts:\n  s: echo hi\n" });
  const found = JSON.parse((await bufCurl("-H", `authorization: Bearer ${TEST_ADMIN_TOKEN}`, "-d", '{"name":"hello"}', `${server.url}/jobserv.v1.ProjectService/GetProject`)).stdout) as { project: { name: string; triggerNames: string[]; createTime: string } };
  t.is(found.project.name, "hello");
  t.deepEqual(found.project.triggerNames, ["t"]);
  t.regex(found.project.createTime, /^\d{4}-\d\d-\d\dT/, "google.protobuf.Timestamp resolved through reflection");

  const health = JSON.parse((await bufCurl(`${server.url}/grpc.health.v1.Health/Check`)).stdout) as { status: string };
  t.is(health.status, "SERVING");
});

for (const [name, method] of [["v1", V1], ["v1alpha", V1ALPHA]] as const) {
  test(`grpc-js: discover a method through reflection ${name} and call it`, async (t) => {
    const server = await startTestServer(t, "sqlite");
    await apiClient(ProjectService, server.url).createProject({ name: "p1", definitionYaml: "timeout: 1\ntriggers:\n  - name: t\n    type: simple\n    runs:\n      - name: r\n        container: img\n        host-tag: x\n        script: s\nscripts:\n  s: echo hi\n" });
    const client = new Client(`127.0.0.1:${server.port}`, credentials.createInsecure());
    t.teardown(() => client.close());

    const [list, bySymbol, byFile, unknown, none] = await reflect(client, method, [
      { case: "listServices", value: "*" },
      { case: "fileContainingSymbol", value: "jobserv.v1.ProjectService.GetProject" },
      { case: "fileByFilename", value: "jobserv/v1/build.proto" },
      { case: "fileContainingSymbol", value: "jobserv.v1.NoSuchThing" },
      { case: undefined },
    ]);
    t.true(list!.messageResponse.case === "listServicesResponse");
    const names = list!.messageResponse.case === "listServicesResponse" ? list!.messageResponse.value.service.map((s) => s.name) : [];
    t.true(names.includes("jobserv.v1.ProjectService") && names.includes("grpc.health.v1.Health"));

    const filesOf = (r: v1.ServerReflectionResponse | undefined) => {
      if (r?.messageResponse.case !== "fileDescriptorResponse") throw new Error(`expected files, got ${r?.messageResponse.case}`);
      return r.messageResponse.value.fileDescriptorProto.map((b) => fromBinary(FileDescriptorProtoSchema, b));
    };
    const projectFiles = filesOf(bySymbol);
    t.is(projectFiles[0]!.name, "jobserv/v1/project.proto", "the declaring file comes first");
    t.true(projectFiles.some((f) => f.name === "google/protobuf/timestamp.proto"), "with its transitive imports");
    const buildFiles = filesOf(byFile).map((f) => f.name);
    t.is(buildFiles[0], "jobserv/v1/build.proto");
    for (const dep of ["jobserv/v1/run.proto", "jobserv/v1/status.proto", "google/protobuf/timestamp.proto"]) t.true(buildFiles.includes(dep), dep);
    t.is(unknown!.messageResponse.case, "errorResponse");
    t.is(unknown!.messageResponse.case === "errorResponse" ? unknown!.messageResponse.value.errorCode : -1, grpcStatus.NOT_FOUND);
    t.is(none!.messageResponse.case === "errorResponse" ? none!.messageResponse.value.errorCode : -1, grpcStatus.INVALID_ARGUMENT);
    t.is(bySymbol!.originalRequest?.messageRequest.value, "jobserv.v1.ProjectService.GetProject", "the request is echoed");

    // A registry built only from what reflection returned is enough to call the method.
    const byName = new Map(projectFiles.map((f) => [f.name, f]));
    const registry = createFileRegistry(projectFiles[0]!, (name) => byName.get(name));
    const service = registry.getService("jobserv.v1.ProjectService") as DescService;
    const get = service.methods.find((m) => m.name === "GetProject")!;
    const input = create(get.input, { name: "p1" } as never);
    const answer = await unary(client, `/${service.typeName}/${get.name}`, toBinary(get.input, input));
    const project = fromBinary(get.output, answer) as unknown as { project: { name: string; triggerNames: string[] } };
    t.is(project.project.name, "p1");
    t.deepEqual(project.project.triggerNames, ["t"]);
    const err = await unary(client, `/${service.typeName}/${get.name}`, toBinary(get.input, create(get.input, { name: "nope" } as never)))
      .then(() => undefined, (e: ServiceError) => e);
    t.is(err?.code, grpcStatus.NOT_FOUND);
  });
}

for (const dialect of dialects) {
  test(`${dialect}: grpc.health.v1 Check and Watch answer SERVING; unknown services are NOT_FOUND / SERVICE_UNKNOWN`, async (t) => {
    const server = await startTestServer(t, dialect);
    const client = new Client(`127.0.0.1:${server.port}`, credentials.createInsecure());
    t.teardown(() => client.close());
    const check = (service: string) => new Promise<number>((resolve, reject) => {
      client.makeUnaryRequest<Uint8Array, Uint8Array>("/grpc.health.v1.Health/Check", (b) => Buffer.from(b), (b) => b,
        toBinary(HealthCheckRequestSchema, create(HealthCheckRequestSchema, { service })),
        (err, res) => (err ? reject(err) : resolve(fromBinary(HealthCheckResponseSchema, res!).status)));
    });
    t.is(await check(""), ServingStatus.SERVING);
    t.is(await check("jobserv.v1.BuildService"), ServingStatus.SERVING);
    t.is(await check("grpc.reflection.v1.ServerReflection"), ServingStatus.SERVING);
    t.is((await check("no.such.Service").then(() => undefined, (e: ServiceError) => e))?.code, grpcStatus.NOT_FOUND);

    const watch = (service: string) => {
      const seen: number[] = [];
      const call = client.makeServerStreamRequest<Uint8Array, Uint8Array>("/grpc.health.v1.Health/Watch", (b) => Buffer.from(b), (b) => b,
        toBinary(HealthCheckRequestSchema, create(HealthCheckRequestSchema, { service })));
      call.on("data", (b: Uint8Array) => seen.push(fromBinary(HealthCheckResponseSchema, b).status));
      call.on("error", () => {});
      t.teardown(() => call.cancel());
      return seen;
    };
    const all = watch("");
    const unknown = watch("no.such.Service");
    await eventually(async () => (all.length && unknown.length ? true : undefined), 10_000, "first Watch messages");
    t.deepEqual(all, [ServingStatus.SERVING]);
    t.deepEqual(unknown, [ServingStatus.SERVICE_UNKNOWN], "the Watch stays open for an unknown service");
  });
}

test("Health: NOT_SERVING when the probe fails or hangs; Watch reports the change", async (t) => {
  let probe: () => Promise<unknown> = () => Promise.reject(new Error("store down"));
  const transport = createRouterTransport((router) => {
    router.service(Health, createHealthService({ services: () => [], probe: () => probe(), probeTimeoutMs: 50, watchIntervalMs: 20 }));
  });
  const health = createClient(Health, transport);
  t.is((await health.check({})).status, ServingStatus.NOT_SERVING);
  probe = () => new Promise(() => {});
  t.is((await health.check({})).status, ServingStatus.NOT_SERVING, "a hanging store is not serving");
  const abort = new AbortController();
  const seen: ServingStatus[] = [];
  for await (const m of health.watch({}, { signal: abort.signal })) {
    seen.push(m.status);
    if (seen.length === 1) probe = () => Promise.resolve();
    if (seen.length === 2) break;
  }
  abort.abort();
  t.deepEqual(seen, [ServingStatus.NOT_SERVING, ServingStatus.SERVING]);
});
