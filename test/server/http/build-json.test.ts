// `GET /projects/{p}/builds/{n}/`: the build with its runs as proto JSON (what
// BuildService.GetBuild returns), read access as the RPC API, on both dialects.
import test from "ava";
import { BuildService } from "../../../gen/jobserv/v1/build_pb.js";
import { Scope, TokenService } from "../../../gen/jobserv/v1/token_pb.js";
import { adminHeaders } from "../../support/auth.js";
import { applyProject, trigger } from "../../support/builds.js";
import { apiClient } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { startTestServer } from "../../support/server.js";

const YAML = "timeout: 1\ntriggers:\n  - name: t\n    type: simple\n    runs:\n      - name: one\n        container: img\n        host-tag: none\n        script: s\n      - name: two\n        container: img\n        host-tag: none\n        script: s\nscripts:\n  s: \"#!/bin/sh\\ntrue\\n\"\n";

for (const dialect of dialects) {
  test(`${dialect}: a build as JSON with its runs; 401 anonymous on a private project, 404 for an unknown build`, async (t) => {
    const server = await startTestServer(t, dialect);
    await applyProject(server.url, "priv", YAML);
    const number = await trigger(server.url, "priv", "t", { WHO: "me" });
    const { secret: read } = await apiClient(TokenService, server.url).createToken({ name: "r", scope: Scope.READ, projects: ["priv"] });
    const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers });

    const res = await get(`/projects/priv/builds/${number}/`, { authorization: `Bearer ${read}` });
    t.is(res.status, 200);
    t.regex(res.headers.get("content-type") ?? "", /^application\/json/);
    const body = await res.json() as { project: string; number: number; status: string; triggerName: string; params: Record<string, string>; runs: { name: string; status: string; hostTag: string }[] };
    t.like(body, { project: "priv", number, status: "STATUS_QUEUED", triggerName: "t", params: { WHO: "me" } });
    t.deepEqual(body.runs.map((r) => [r.name, r.status, r.hostTag]), [["one", "STATUS_QUEUED", "none"], ["two", "STATUS_QUEUED", "none"]]);
    // The same document GetBuild returns, as the Connect JSON encoding.
    const viaRpc = await fetch(`${server.url}/jobserv.v1.BuildService/GetBuild`, {
      method: "POST", headers: { ...adminHeaders, "content-type": "application/json" }, body: JSON.stringify({ project: "priv", number }),
    });
    t.deepEqual(body, (await viaRpc.json() as { build: unknown }).build);
    t.is((await get(`/projects/priv/builds/${number}`, { authorization: `Bearer ${read}` })).status, 200, "the trailing slash is optional");

    const anonymous = await get(`/projects/priv/builds/${number}/`);
    t.is(anonymous.status, 401);
    t.regex(((await anonymous.json()) as { error: string }).error, /token/i);
    t.is((await get(`/projects/priv/builds/${number + 41}/`, { authorization: `Bearer ${read}` })).status, 404, "an unknown build");
    t.is((await get(`/projects/nope/builds/1/`, adminHeaders)).status, 404, "an unknown project");
    t.is((await get(`/projects/priv/builds/${number}/`, { authorization: "Bearer jst_not-a-token" })).status, 401);
    await apiClient(BuildService, server.url).cancelBuild({ project: "priv", number });
    const cancelled = await (await get(`/projects/priv/builds/${number}/`, adminHeaders)).json() as { status: string; completeTime?: string };
    t.is(cancelled.status, "STATUS_FAILED");
    t.truthy(cancelled.completeTime);
  });
}
