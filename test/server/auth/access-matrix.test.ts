// Every RPC and REST route has an explicit access rule, and each kind of
// caller gets exactly the answer the rule gives: anonymous, read, a read
// token limited to another project, trigger, admin, a worker's token and a
// run token presented as API tokens. The rules table must name every method
// of every service, so a new RPC without a rule fails this test.
import { Code, ConnectError, createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import type { DescService } from "@bufbuild/protobuf";
import test from "ava";
import { BuildService } from "../../../gen/jobserv/v1/build_pb.js";
import { ProjectService } from "../../../gen/jobserv/v1/project_pb.js";
import { RunService } from "../../../gen/jobserv/v1/run_pb.js";
import { Scope, TokenService } from "../../../gen/jobserv/v1/token_pb.js";
import { WorkerAdminService } from "../../../gen/jobserv/v1/worker_admin_pb.js";
import { WorkerService, type Assignment } from "../../../gen/jobserv/v1/worker_pb.js";
import { applyProject, trigger } from "../../support/builds.js";
import { apiClient, eventually } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { startMiniWorker } from "../../support/mini-worker.js";
import { startTestServer } from "../../support/server.js";

const YAML = "timeout: 1\ntriggers:\n  - name: t\n    type: simple\n    runs:\n      - name: r\n        container: img\n        host-tag: acl\n        script: s\nscripts:\n  s: \"#!/bin/sh\\ntrue\\n\"\n";
const ref = { project: "priv", buildNumber: 1, run: "r" };

type Need = "read" | "trigger" | "admin" | "root" | "worker";
type Caller = "anonymous" | "read" | "readOther" | "trigger" | "admin" | "workerToken" | "runToken";

/** The rule of every RPC: what it needs, and a request about the private project. */
const rules: Record<string, Record<string, { need: Need; req: object; mutates?: boolean }>> = {
  "jobserv.v1.ProjectService": {
    CreateProject: { need: "root", req: { name: "new-one", definitionYaml: YAML }, mutates: true },
    UpdateProject: { need: "admin", req: { name: "priv", definitionYaml: YAML }, mutates: true },
    GetProject: { need: "read", req: { name: "priv" } },
    ListProjects: { need: "read", req: {} },
    DeleteProject: { need: "admin", req: { name: "priv" }, mutates: true },
    SetTriggerSecrets: { need: "admin", req: { project: "priv", triggerName: "t", secrets: { a: "bbbb" } }, mutates: true },
    PruneBuilds: { need: "root", req: { dryRun: true } },
    ListTriggerSecrets: { need: "admin", req: { project: "priv", triggerName: "t" } },
  },
  "jobserv.v1.BuildService": {
    TriggerBuild: { need: "trigger", req: { project: "priv", triggerName: "t" }, mutates: true },
    GetBuild: { need: "read", req: { project: "priv", number: 1 } },
    ListBuilds: { need: "read", req: { project: "priv" } },
    CancelBuild: { need: "trigger", req: { project: "priv", number: 1 }, mutates: true },
    PromoteBuild: { need: "admin", req: { project: "priv", number: 1, name: "v1" }, mutates: true },
    WatchBuild: { need: "read", req: { project: "priv", number: 1 } },
    WatchBuilds: { need: "read", req: { project: "priv" } },
    GetLatestBuild: { need: "read", req: { project: "priv", select: 2 } },
    ListPromotedBuilds: { need: "read", req: { project: "priv" } },
    // No promoted build here (NOT_FOUND once allowed): its allowed reads are in test/server/gateway/jobserv-rest.test.ts.
    GetPromotedBuild: { need: "read", req: { project: "priv", name: "v1" }, mutates: true },
    AnnotateBuild: { need: "trigger", req: { project: "priv", number: 1, annotation: "a" }, mutates: true },
    CreateExternalBuild: { need: "trigger", req: { project: "priv", triggerName: "ext", runs: [{ name: "x" }] }, mutates: true },
  },
  "jobserv.v1.RunService": {
    GetRun: { need: "read", req: { ref } },
    ListRuns: { need: "read", req: { project: "priv", buildNumber: 1 } },
    TailLog: { need: "read", req: { ref } },
    GetRunDefinition: { need: "read", req: { ref } },
    CancelRun: { need: "trigger", req: { ref }, mutates: true },
    ListArtifacts: { need: "read", req: { ref } },
    ListTests: { need: "read", req: { ref } },
    RerunRun: { need: "trigger", req: { ref }, mutates: true },
    ListRunHistory: { need: "read", req: { project: "priv", run: "r" } },
    // Also the run's own token as `authorization: Token ...` (test/server/gateway/jobserv-rest.test.ts).
    CreateTest: { need: "trigger", req: { ref, name: "t" }, mutates: true },
    UpdateTest: { need: "trigger", req: { ref, name: "t" }, mutates: true },
    ListActiveRuns: { need: "read", req: {} },
  },
  "jobserv.v1.TokenService": {
    CreateToken: { need: "root", req: { name: "x", scope: Scope.READ }, mutates: true },
    ListTokens: { need: "root", req: {} },
    RevokeToken: { need: "root", req: { id: 999n }, mutates: true },
  },
  "jobserv.v1.WorkerAdminService": {
    ListWorkers: { need: "root", req: {} },
    EnlistWorker: { need: "root", req: { name: "w", enlisted: true }, mutates: true },
    DeleteWorker: { need: "root", req: { name: "w" }, mutates: true },
  },
  "jobserv.v1.WorkerService": {
    RegisterWorker: { need: "worker", req: {} },
    Pull: { need: "worker", req: {} },
    AppendLog: { need: "worker", req: {} },
    UpdateRun: { need: "worker", req: {} },
    ReportTests: { need: "worker", req: {} },
    ReportFacts: { need: "worker", req: {} },
  },
};

/** What a caller gets from an API method (not WorkerService) about the private project. */
function expected(caller: Caller, need: Need, method: string): Code | "allowed" {
  // Listing is open: anyone sees the projects (and active runs) they may read (anonymous: the public ones).
  const listing = method === "ListProjects" || method === "ListActiveRuns";
  if (listing && caller === "anonymous") return "allowed";
  if (caller === "anonymous" || caller === "workerToken" || caller === "runToken") return Code.Unauthenticated;
  if (caller === "admin") return "allowed";
  const rank = { read: 1, readOther: 1, trigger: 2 }[caller];
  const needed = { read: 1, trigger: 2, admin: 3, root: 3, worker: 9 }[need];
  if (rank < needed) return Code.PermissionDenied;
  if (caller === "readOther") return listing ? "allowed" : Code.NotFound;
  return "allowed";
}

function clientFor<S extends DescService>(service: S, url: string, token: string | null): Client<S> {
  const bearer: Interceptor = (next) => (req) => {
    if (token) req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };
  return createClient(service, createConnectTransport({ baseUrl: url, httpVersion: "1.1", interceptors: [bearer] }));
}

async function outcome(call: () => Promise<unknown>): Promise<Code | "allowed"> {
  try {
    const r = await call();
    if (r && typeof r === "object" && Symbol.asyncIterator in r) for await (const _ of r as AsyncIterable<unknown>) break;
    return "allowed";
  } catch (e) {
    const code = ConnectError.from(e).code;
    return code === Code.NotFound || code === Code.Unauthenticated || code === Code.PermissionDenied ? code : "allowed";
  }
}

for (const dialect of dialects) {
  test(`${dialect}: every route answers each kind of caller exactly as its rule says`, async (t) => {
    const server = await startTestServer(t, dialect);
    await applyProject(server.url, "priv", YAML);
    await apiClient(ProjectService, server.url).createProject({ name: "pub", definitionYaml: YAML, public: true });
    const tokens = apiClient(TokenService, server.url);
    const make = async (scope: Scope, projects: string[] = []) => (await tokens.createToken({ name: `t-${scope}`, scope, projects })).secret;
    let assignment: Assignment | undefined;
    const worker = await startMiniWorker(t, server.url, "acl-worker", ["acl"], 2, (a) => { assignment = a; });
    await trigger(server.url, "priv", "t");
    await eventually(async () => assignment, 10_000, "the run to be assigned");
    const secrets: Record<Caller, string | null> = {
      anonymous: null, read: await make(Scope.READ), readOther: await make(Scope.READ, ["pub"]), trigger: await make(Scope.TRIGGER),
      admin: await make(Scope.ADMIN), workerToken: "mini-worker-token-acl-worker", runToken: assignment!.runToken,
    };

    // The table covers every method of every service the server has.
    for (const service of [ProjectService, BuildService, RunService, TokenService, WorkerAdminService, WorkerService] as DescService[]) {
      t.deepEqual(Object.keys(rules[service.typeName] ?? {}).sort(), service.methods.map((m) => m.name).sort(), `rules for ${service.typeName}`);
    }

    for (const service of [ProjectService, BuildService, RunService, TokenService, WorkerAdminService] as DescService[]) {
      for (const method of service.methods) {
        const rule = rules[service.typeName]![method.name]!;
        for (const caller of Object.keys(secrets) as Caller[]) {
          const want = expected(caller, rule.need, method.name);
          if (want === "allowed" && rule.mutates) continue; // allowed writes are exercised by the feature tests
          const client = clientFor(service, server.url, secrets[caller]) as unknown as Record<string, (r: object) => Promise<unknown>>;
          const name = method.localName;
          const got = await outcome(() => Promise.resolve(client[name]!(rule.req)));
          t.is(got, want, `${service.name}.${method.name} as ${caller}`);
        }
      }
    }

    // Public projects are readable without a token; their writes are not.
    const anon = (s: DescService) => clientFor(s, server.url, null) as never;
    t.is(await outcome(() => (anon(ProjectService) as Client<typeof ProjectService>).getProject({ name: "pub" })), "allowed");
    t.is(await outcome(() => (anon(BuildService) as Client<typeof BuildService>).triggerBuild({ project: "pub", triggerName: "t" })), Code.Unauthenticated);
    const listed = await (anon(ProjectService) as Client<typeof ProjectService>).listProjects({});
    t.deepEqual(listed.projects.map((p) => p.name), ["pub"], "anonymous lists only public projects");
    const limited = await clientFor(ProjectService, server.url, secrets.readOther).listProjects({});
    t.deepEqual(limited.projects.map((p) => p.name), ["pub"], "a project-limited token lists only its projects (and public ones)");

    // WorkerService: API tokens are not worker credentials; a run token works for its own run only.
    const asWorker = (token: string) => clientFor(WorkerService, server.url, token);
    t.is(await outcome(() => asWorker(secrets.admin!).appendLog({ runId: assignment!.definition!.runId, runToken: assignment!.runToken, offset: 0n, data: Buffer.from("x") })), Code.Unauthenticated);
    const other = await startMiniWorker(t, server.url, "acl-other", ["none"], 1, () => {});
    t.is(await outcome(() => other.client.appendLog({ runId: assignment!.definition!.runId, runToken: assignment!.runToken, offset: 0n, data: Buffer.from("x") })), Code.PermissionDenied);
    t.is(await outcome(() => worker.client.appendLog({ runId: assignment!.definition!.runId, runToken: "foreign-run-token", offset: 0n, data: Buffer.from("x") })), Code.PermissionDenied);

    // REST: the same rules and answers as HTTP statuses.
    const base = `${server.url}/projects/priv/builds/1/runs/r`;
    const get = async (url: string, token: string | null, init: RequestInit = {}) =>
      (await fetch(url, { ...init, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers as Record<string, string> ?? {}) } })).status;
    const jobserv = ["/projects/priv/", "/projects/priv/builds/", "/projects/priv/builds/1/", "/projects/priv/builds/1/runs/", "/projects/priv/history/r/"];
    for (const path of [`${base}/console.log`, `${base}/.rundef.json`, `${base}/missing-artifact.txt`, `${base}/`, `${base}/tests/`, ...jobserv.map((p) => `${server.url}${p}`)]) {
      const found = path.endsWith("missing-artifact.txt") ? 404 : 200;
      t.is(await get(path, null), 401, `${path} anonymous`);
      t.is(await get(path, secrets.workerToken), 401, `${path} with a worker token`);
      t.is(await get(path, secrets.runToken), 401, `${path} with a run token`);
      t.is(await get(path, secrets.readOther), 404, `${path} with another project's token`);
      t.is(await get(path, secrets.read), found, `${path} with a read token`);
    }
    for (const path of ["/healthz", "/readyz", "/metrics", "/cli/jobserv.tgz"]) t.is(await get(`${server.url}${path}`, null), 200, `${path} is open`);
    // `Bearer` with nothing after it (an unset $JOBSERV_TOKEN) is anonymous, not a malformed header.
    const emptyBearer = await fetch(`${base}/console.log`, { headers: { authorization: "Bearer " } });
    t.is(emptyBearer.status, 401);
    t.regex(((await emptyBearer.json()) as { error: string }).error, /needs an API token with read scope/, "treated as anonymous");
    const post = (token: string | null) => get(`${server.url}/projects/priv/builds/`, token, { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
    t.is(await post(null), 401);
    t.is(await post(secrets.read), 403);
    t.is(await post(secrets.trigger), 201);
    // JobServ's REST writes: bearer tokens with the RPC's scope; never a run token but on its own tests.
    const write = (path: string, token: string | null, body: unknown = {}) => get(`${server.url}${path}`, token, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
    t.is(await write("/projects/priv/builds/1/promote", secrets.trigger, { name: "v1" }), 403);
    t.is(await write("/projects/priv/external-builds/", secrets.read), 403);
    t.is(await write("/projects/priv/external-builds/", secrets.readOther), 403, "scope before project, as the RPCs");
    t.is(await write("/projects/priv/builds/1/runs/r/cancel", secrets.runToken), 401);
    t.is(await write("/projects/priv/builds/1/runs/r/tests/t/", secrets.read), 403);
    t.is(await get(`${base}/tests/t/`, null, { method: "POST", body: "{}", headers: { authorization: `Token ${secrets.runToken}` } }), 201, "a run's token on its own tests");
    const put = await fetch(`${server.url}/worker/runs/${assignment!.definition!.runId}/artifacts/a.txt`, {
      method: "PUT", body: "x", headers: { "jobserv-worker": "acl-worker", "jobserv-run-token": "foreign-run-token" },
    });
    t.is(put.status, 403, "artifact upload with a foreign run token");
  });
}
