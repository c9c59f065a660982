// POST /projects/{p}/builds/ authorised by the trigger's webhook-key as a
// bearer token: wrong or missing token 401 and nothing created; params reach
// the build. On both store dialects.
import test from "ava";
import { ProjectService } from "../../../gen/jobserv/v1/project_pb.js";
import { openStore } from "../../../server/store/db.js";
import { apiClient } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { startTestServer } from "../../support/server.js";

const YAML = `
timeout: 1
triggers:
  - name: manual
    type: simple
    runs:
      - name: r
        container: img
        script: s
scripts:
  s: "#!/bin/sh\\ntrue\\n"
`;

for (const dialect of dialects) {
  test(`${dialect}: HTTP trigger with the trigger's webhook-key as bearer token`, async (t) => {
    const server = await startTestServer(t, dialect);
    const projects = apiClient(ProjectService, server.url);
    await projects.createProject({ name: "m", definitionYaml: YAML });
    const store = await openStore(server.databaseUrl);
    t.teardown(() => store.close());
    const post = async (project: string, body: unknown, token?: string) => {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (token !== undefined) headers["authorization"] = `Bearer ${token}`;
      const res = await fetch(`${server.url}/projects/${project}/builds/`, { method: "POST", headers, body: JSON.stringify(body) });
      return { status: res.status, json: await res.json() as Record<string, unknown> };
    };
    const body = { trigger: "manual", params: { FOO: "bar" }, reason: "from a script" };
    t.is((await post("m", body, "anything")).status, 401, "no webhook-key set: nobody may trigger");
    await projects.setTriggerSecrets({ project: "m", triggerName: "manual", secrets: { "webhook-key": "k-123" } });
    t.is((await post("m", body)).status, 401, "missing token");
    t.is((await post("m", body, "k-124")).status, 401, "wrong token");
    t.is((await post("nope", body, "k-123")).status, 404);
    t.is((await post("m", { ...body, trigger: "other" }, "k-123")).status, 404);
    t.is((await post("m", { params: { FOO: 1 } }, "k-123")).status, 400);
    t.is((await store.db.selectFrom("builds").selectAll().execute()).length, 0);
    const ok = await post("m", body, "k-123");
    t.is(ok.status, 201);
    t.is((ok.json["data"] as { build_id: number }).build_id, 1, "JobServ's JSend answer");
    const [b] = await store.db.selectFrom("builds").selectAll().execute();
    t.deepEqual(JSON.parse(b!.params_json), { FOO: "bar" });
    t.is(b!.reason, "from a script");
  });
}
