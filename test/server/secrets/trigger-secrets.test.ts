// Trigger secrets: stored encrypted, handed only to the worker running the
// run, redacted for readers, and required names checked at trigger time.
import { Code, ConnectError } from "@connectrpc/connect";
import test from "ava";
import { BuildService } from "../../../gen/jobserv/v1/build_pb.js";
import { ProjectService } from "../../../gen/jobserv/v1/project_pb.js";
import { RunService } from "../../../gen/jobserv/v1/run_pb.js";
import type { Assignment } from "../../../gen/jobserv/v1/worker_pb.js";
import { openStore } from "../../../server/store/db.js";
import { apiClient } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { startMiniWorker } from "../../support/mini-worker.js";
import { startTestServer } from "../../support/server.js";
import { adminHeaders } from "../../support/auth.js";

const yaml = (auth: boolean) => `
timeout: 1
triggers:
  - name: ci
    type: simple
    runs:
      - name: r
        container: img
        host-tag: t
        script: s
${auth ? "        container-auth: registry-auth\n" : ""}scripts:
  s: "#!/bin/sh\\ntrue\\n"
`;

for (const dialect of dialects) {
  test(`${dialect}: secrets reach the worker only, encrypted at rest, required names checked`, async (t) => {
    const server = await startTestServer(t, dialect);
    const projects = apiClient(ProjectService, server.url);
    await projects.createProject({ name: "p", definitionYaml: yaml(true) });

    const refused = await apiClient(BuildService, server.url).triggerBuild({ project: "p", triggerName: "ci" }).catch((e: unknown) => ConnectError.from(e));
    t.is((refused as ConnectError).code, Code.InvalidArgument);
    t.regex((refused as ConnectError).rawMessage, /needs secret\(s\) registry-auth; it has: none/);

    const set = await projects.setTriggerSecrets({ project: "p", triggerName: "ci", secrets: { "registry-auth": "dXNlcjpwYXNz", token: "s3cr3t-value" } });
    t.deepEqual(set.secretNames, ["registry-auth", "token"]);
    t.deepEqual((await projects.setTriggerSecrets({ project: "p", triggerName: "ci", secrets: { extra: "x" } })).secretNames, ["extra", "registry-auth", "token"]);
    t.deepEqual((await projects.setTriggerSecrets({ project: "p", triggerName: "ci", secrets: { extra: "" } })).secretNames, ["registry-auth", "token"], "empty value deletes");
    const badName = await projects.setTriggerSecrets({ project: "p", triggerName: "ci", secrets: { "a/b": "x" } }).catch((e: unknown) => ConnectError.from(e));
    t.is((badName as ConnectError).code, Code.InvalidArgument);
    const noTrigger = await projects.setTriggerSecrets({ project: "p", triggerName: "nope", secrets: { a: "x" } }).catch((e: unknown) => ConnectError.from(e));
    t.is((noTrigger as ConnectError).code, Code.NotFound);

    const got = new Promise<Assignment>((resolve) => {
      void startMiniWorker(t, server.url, "w", ["t"], 1, (a) => resolve(a));
    });
    await apiClient(BuildService, server.url).triggerBuild({ project: "p", triggerName: "ci" });
    const assignment = await got;
    t.deepEqual(assignment.definition?.secrets, { "registry-auth": "dXNlcjpwYXNz", token: "s3cr3t-value" });

    const served = await apiClient(RunService, server.url).getRunDefinition({ ref: { project: "p", buildNumber: 1, run: "r" } });
    t.deepEqual(served.definition?.secrets, { "registry-auth": "", token: "" }, "readers see the names, never the values");
    const rest = await (await fetch(`${server.url}/projects/p/builds/1/runs/r/.rundef.json`, { headers: adminHeaders })).text();
    t.false(rest.includes("s3cr3t-value"));

    const raw = await openStore(server.databaseUrl);
    t.teardown(() => raw.close());
    const rows = [
      ...(await raw.db.selectFrom("project_triggers").select("secrets_enc").execute()).map((r) => r.secrets_enc),
      ...(await raw.db.selectFrom("runs").select(["secrets_enc", "definition_json"]).execute()).flatMap((r) => [r.secrets_enc, r.definition_json]),
    ];
    t.true(rows.length >= 3);
    t.false(rows.some((v) => v.includes("s3cr3t-value")), "no plaintext secret in the store");
  });
}
