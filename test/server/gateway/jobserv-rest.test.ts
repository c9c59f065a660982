// A JobServ client works unchanged: replays JobServ's request and response
// shapes (test/fixtures/jobserv-rest/shapes.json: key names, status codes,
// pagination with `next`, JSend errors, x-correlation-id) for each route of
// its release workflow, on both stores, against a real server and a worker
// speaking the real protocol (tests driven from outside).
import { readFileSync } from "node:fs";
import path from "node:path";
import test, { type ExecutionContext } from "ava";
import { RunService } from "../../../gen/jobserv/v1/run_pb.js";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { adminHeaders } from "../../support/auth.js";
import { applyProject } from "../../support/builds.js";
import { apiClient, eventually } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { holdRun } from "../../support/held-run.js";
import { resolveShape, shapeMismatches, type Shape } from "../../support/json-shape.js";
import { startTestServer } from "../../support/server.js";

const fixtures = JSON.parse(readFileSync(path.join(import.meta.dirname, "../../fixtures/jobserv-rest/shapes.json"), "utf8")) as
  Record<string, { status: number; body: Shape }> & { defs: Record<string, Shape> };

const YAML = `
timeout: 5
triggers:
  - name: manual
    type: simple
    runs:
      - name: compile
        container: img
        host-tag: nowhere
        script: s
scripts:
  s: "#!/bin/sh\\ntrue\\n"
`;

type Call = (method: string, urlPath: string, body?: unknown, headers?: Record<string, string>) => Promise<{ status: number; json: Record<string, unknown>; headers: Headers }>;

function caller(base: string): Call {
  return async (method, urlPath, body, headers = adminHeaders) => {
    const res = await fetch(`${base}${urlPath}`, {
      method, headers: { ...headers, accept: "*/*", ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: await res.json() as Record<string, unknown>, headers: res.headers };
  };
}

/** The answer has JobServ's status code and shape for `name`. */
function expectShape(t: ExecutionContext, name: string, got: { status: number; json: unknown }, base: string): void {
  const f = fixtures[name]!;
  t.is(got.status, f.status, `${name}: status (${JSON.stringify(got.json)})`);
  t.deepEqual(shapeMismatches(resolveShape(f.body, fixtures.defs), got.json, base), [], `${name}: shape`);
}

const external = (n: number) => ({
  "trigger-name": "other-ci", reason: `built elsewhere #${n}`,
  runs: [{ name: "build", "artifact-links": [{ name: "images/disk.img", url: `https://ci.example.com/${n}/disk.img`, size_bytes: 1024 }] }],
});

for (const dialect of dialects) {
  test(`${dialect}: JobServ's release workflow routes answer with JobServ's shapes`, async (t) => {
    const server = await startTestServer(t, dialect);
    const base = server.url;
    const call = caller(base);
    await applyProject(base, "rel", YAML);

    expectShape(t, "projects", await call("GET", "/projects/"), base);
    expectShape(t, "project", await call("GET", "/projects/rel/"), base);
    for (const n of [1, 2, 3]) {
      const made = await call("POST", "/projects/rel/external-builds/", external(n));
      expectShape(t, "external-build", made, base);
      t.is((made.json["data"] as { build_id: number }).build_id, n);
    }
    expectShape(t, "builds-page-0", await call("GET", "/projects/rel/builds/?limit=2"), base);
    expectShape(t, "builds-page-1", await call("GET", "/projects/rel/builds/?page=1&limit=2"), base);
    const one = await call("GET", "/projects/rel/builds/1/");
    expectShape(t, "build", one, base);
    const build1 = (one.json["data"] as { build: { status: string; created: string; completed: string; status_events: unknown[] } }).build;
    t.is(build1.status, "PASSED");
    t.is(build1.created, build1.completed, "an external build: created == completed");
    t.deepEqual(build1.status_events.map((e) => (e as { status: string }).status), ["PASSED"]);

    const latest = await call("GET", "/projects/rel/builds/latest/");
    expectShape(t, "build", latest, base);
    t.is((latest.json["data"] as { build: { build_id: number } }).build.build_id, 3);
    const annotated = await call("PATCH", "/projects/rel/builds/2/", { annotation: "first release" });
    expectShape(t, "annotate", annotated, base);
    expectShape(t, "bad-request", await call("PATCH", "/projects/rel/builds/2/", { name: "x" }), base);
    expectShape(t, "promote", await call("POST", "/projects/rel/builds/2/promote", { name: "v1", annotation: "first release" }), base);
    const latestPromoted = await call("GET", "/projects/rel/builds/latest/?promoted=1");
    t.is((latestPromoted.json["data"] as { build: { build_id: number } }).build.build_id, 2);
    expectShape(t, "promoted-builds", await call("GET", "/projects/rel/promoted-builds/"), base);
    expectShape(t, "promoted-build-v2", await call("GET", "/projects/rel/promoted-builds/v1/?version=v2"), base);
    expectShape(t, "not-found", await call("GET", "/projects/rel/promoted-builds/v9/"), base);

    const history = await call("GET", "/projects/rel/history/build/");
    expectShape(t, "history", history, base);
    t.deepEqual((history.json["data"] as { runs: { build: number }[] }).runs.map((r) => r.build), [3, 2, 1], "newest build first");
    expectShape(t, "runs", await call("GET", "/projects/rel/builds/2/runs/"), base);
    expectShape(t, "run", await call("GET", "/projects/rel/builds/2/runs/build/"), base);
    expectShape(t, "run-v2", await call("GET", "/projects/rel/builds/2/runs/build/?version=v2"), base);
    const link = await fetch(`${base}/projects/rel/builds/2/runs/build/images/disk.img`, { headers: adminHeaders, redirect: "manual" });
    t.is(link.status, 302);
    t.is(link.headers.get("location"), "https://ci.example.com/2/disk.img", "an external artifact is where its CI keeps it");

    // A build from a posted definition (JobServ's POST /projects/{p}/builds/), then the health of the queue.
    const posted = await call("POST", "/projects/rel/builds/", {
      "trigger-name": "manual", reason: "from a script", params: { A: "1" }, "queue-priority": 3,
      "project-definition": { timeout: 5, triggers: [{ name: "manual", type: "simple", runs: [{ name: "compile", container: "img", "host-tag": "nowhere", script: "s" }] }], scripts: { s: "#!/bin/sh\ntrue\n" } },
    });
    expectShape(t, "create-build", posted, base);
    t.is((posted.json["data"] as { build_id: number }).build_id, 4);
    expectShape(t, "health", await call("GET", "/health/runs/"), base);
    expectShape(t, "bad-request", await call("POST", "/projects/rel/builds/4/promote", { name: "v2" }), base);
    expectShape(t, "cancel", await call("POST", "/projects/rel/builds/4/cancel"), base);
    const cancelled = await call("GET", "/projects/rel/builds/4/");
    t.is((cancelled.json["data"] as { build: { status: string } }).build.status, "FAILED");

    // Errors as JobServ gives them: JSend, with a correlation id.
    const missing = await call("GET", "/projects/rel/builds/41/");
    expectShape(t, "not-found", missing, base);
    t.regex(String((missing.json as { message: string }).message), /^Object does not exist: \/projects\/rel\/builds\/41\//);
    t.truthy(missing.headers.get("x-correlation-id"));
    expectShape(t, "unauthenticated", await call("POST", "/projects/rel/external-builds/", external(9), {}), base);
    expectShape(t, "unauthenticated", await call("GET", "/projects/rel/builds/", undefined, {}), base);
  });

  test(`${dialect}: tests driven from outside keep a run RUNNING after its worker's end, then decide it (run token)`, async (t) => {
    const server = await startTestServer(t, dialect);
    const base = server.url;
    const call = caller(base);
    const held = await holdRun(t, base, "lab");
    const runPath = `/projects/lab/builds/${held.build}/runs/${held.run}`;
    const asRun = { authorization: `Token ${held.runToken}` };
    expectShape(t, "unauthenticated", await call("POST", `${runPath}/tests/boot/`, { status: "QUEUED" }, { authorization: "Token not-the-run-token" }), base);
    expectShape(t, "test-create", await call("POST", `${runPath}/tests/boot/`, { context: "board-1", status: "RUNNING", results: [{ name: "power", status: "PASSED" }] }, asRun), base);
    expectShape(t, "tests", await call("GET", `${runPath}/tests/`), base);
    expectShape(t, "test", await call("GET", `${runPath}/tests/boot/`), base);

    await held.finish(Status.PASSED);
    const runs = apiClient(RunService, base);
    const ref = { project: "lab", buildNumber: held.build, run: held.run };
    t.is((await runs.getRun({ ref })).run!.status, Status.RUNNING, "the worker is done, a test is still open: the run stays RUNNING");

    expectShape(t, "test-update-open", await call("PUT", `${runPath}/tests/boot/?context=board-1`, { results: [{ name: "login", status: "PASSED" }], message: "board booted\n" }, asRun), base);
    expectShape(t, "test-update-done", await call("PUT", `${runPath}/tests/boot/`, { status: "FAILED", results: [{ name: "login2", status: "FAILED", output: "timeout" }] }, asRun), base);
    const run = await eventually(async () => {
      const r = (await runs.getRun({ ref })).run!;
      return r.status === Status.FAILED ? r : undefined;
    }, 10_000, "the run to end FAILED with its failed test");
    t.deepEqual(run.statusEvents.map((e) => Status[e.status]), ["QUEUED", "RUNNING", "FAILED"]);
    t.is((await call("PUT", `${runPath}/tests/boot/`, { status: "PASSED" }, asRun)).status, 401, "the run's token ends with the run");
  });
}
