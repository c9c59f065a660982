// Inbound GitLab webhooks (payloads shaped as GitLab documents them, in
// test/fixtures/webhooks/gitlab) and the calls made to a local stand-in for
// the GitLab API: GIT_SHA_BASE from the MR versions, the ci-retest author's
// membership, commit statuses. On both store dialects.
import { readFileSync } from "node:fs";
import path from "node:path";
import test from "ava";
import { ProjectService } from "../../../gen/jobserv/v1/project_pb.js";
import { openStore } from "../../../server/store/db.js";
import { apiClient, eventually } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { startFakeForge } from "../../support/fake-forge.js";
import { fakeGitlabApi } from "../../support/fake-gitlab-api.js";
import { startTestServer } from "../../support/server.js";

const FIXTURES = path.resolve(import.meta.dirname, "../../fixtures/webhooks/gitlab");
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name));
const SHA = "da1560886d4f094c3e6c9ef40349f7d38b5d27d7";
const BASE = "b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0";

const YAML = `
timeout: 1
triggers:
  - name: mr
    type: gitlab_mr
    runs:
      - name: build
        container: img
        host-tag: gl
        script: s
scripts:
  s: "#!/bin/sh\\ntrue\\n"
`;

for (const dialect of dialects) {
  test(`${dialect}: GitLab MR and note webhooks: token, params, duplicates, commit statuses`, async (t) => {
    const fake = fakeGitlabApi({
      token: "glpat-abc",
      versions: { "14!1": [{ head_commit_sha: SHA, base_commit_sha: BASE, start_commit_sha: BASE }] },
      // The fixture's note author is user 1: a Maintainer; user 7 only a Reporter.
      members: { "14/1": 40, "14/7": 20 },
    });
    const gitlab = await startFakeForge(t, fake.respond);
    const api = `${gitlab.url}/api/v4`;
    const server = await startTestServer(t, dialect, { gitlabApi: api, forgeRetryMs: 20 });
    const projects = apiClient(ProjectService, server.url);
    await projects.createProject({ name: "gl", definitionYaml: YAML });
    await projects.setTriggerSecrets({ project: "gl", triggerName: "mr", secrets: { "webhook-key": "gl-hook-token", gitlabtok: "glpat-abc" } });
    const store = await openStore(server.databaseUrl);
    t.teardown(() => store.close());
    const builds = () => store.db.selectFrom("builds").selectAll().orderBy("number").execute();
    const hook = `${server.url}/gitlab/gl/`;
    const post = async (body: Buffer, headers: Record<string, string>) => {
      const res = await fetch(hook, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
      return { status: res.status, json: await res.json() as Record<string, unknown> };
    };
    const open = fixture("merge_request.open.json");
    const mrHeaders = (uuid: string, token = "gl-hook-token") => ({ "x-gitlab-event": "Merge Request Hook", "x-gitlab-token": token, "x-gitlab-event-uuid": uuid });

    t.is((await post(open, { "x-gitlab-event": "Merge Request Hook" })).status, 401, "missing token");
    t.is((await post(open, mrHeaders("u0", "gl-hook-tokeN"))).status, 401, "wrong token");
    t.is((await post(open, mrHeaders("u0", "gl-hook-token1"))).status, 401, "token with one extra byte");
    t.is((await builds()).length, 0);
    const notJson = Buffer.from("object_kind=merge_request");
    t.is((await post(notJson, mrHeaders("u1"))).status, 400);
    const title = await post(fixture("merge_request.update-title.json"), mrHeaders("u2"));
    t.is(title.status, 202, "an update without new commits builds nothing");
    t.regex(String(title.json["ignored"]), /without new commits/);
    const push = await post(Buffer.from("{}"), { ...mrHeaders("u3"), "x-gitlab-event": "Push Hook" });
    t.is(push.status, 202);

    const created = await post(open, mrHeaders("u4"));
    t.is(created.status, 201);
    t.is((await post(open, mrHeaders("u4"))).status, 200, "same event uuid: no second build");
    const [b1] = await builds();
    t.is((await builds()).length, 1);
    t.is(b1?.reason, "GitLab MR(1): open, http://example.com/diaspora/merge_requests/1");
    t.deepEqual(JSON.parse(b1?.params_json ?? "{}"), {
      GIT_SHA: SHA, GIT_URL: "http://example.com/awesome_space/awesome_project.git",
      GL_TARGET_REPO: "http://example.com/awesome_space/awesome_project.git", GL_MR: "1",
      GL_STATUS_URL: `${api}/projects/14/statuses/${SHA}`, GL_MR_API: `${api}/projects/14/merge_requests/1`, GIT_SHA_BASE: BASE,
    });
    t.true(fake.seen.some((r) => r.method === "GET" && r.path === "/api/v4/projects/14/merge_requests/1/versions"), "base read from the versions API");

    const note = await post(fixture("note.merge_request.json"), { "x-gitlab-event": "Note Hook", "x-gitlab-token": "gl-hook-token", "x-gitlab-event-uuid": "u5" });
    t.is(note.status, 201);
    t.is(note.json["build"], 2);
    const noteWithout = JSON.parse(fixture("note.merge_request.json").toString()) as { object_attributes: { note: string } };
    noteWithout.object_attributes.note = "looks good";
    t.is((await post(Buffer.from(JSON.stringify(noteWithout)), { "x-gitlab-event": "Note Hook", "x-gitlab-token": "gl-hook-token" })).status, 202);
    // ci-retest counts only from a Developer or more of the target project.
    for (const [id, why] of [["7", /user7|needs Developer access/], ["8", /needs Developer access/]] as const) {
      const other = JSON.parse(fixture("note.merge_request.json").toString()) as { user: { id: number; username: string } };
      other.user = { ...other.user, id: Number(id), username: `user${id}` };
      const refused = await post(Buffer.from(JSON.stringify(other)), { "x-gitlab-event": "Note Hook", "x-gitlab-token": "gl-hook-token", "x-gitlab-event-uuid": `n${id}` });
      t.is(refused.status, 202, `user ${id}`);
      t.regex(String(refused.json["ignored"]), why);
    }
    t.is((await builds()).length, 2, "refused notes create nothing");

    // The queued run's status went to GitLab's documented endpoint with the token.
    const posts = await eventually(async () => {
      const p = gitlab.requests.filter((r) => r.method === "POST" && r.path === `/api/v4/projects/14/statuses/${SHA}`);
      return p.length >= 2 ? p : undefined;
    }, 10_000, "GitLab statuses");
    for (const r of posts) {
      t.is(r.headers["private-token"], "glpat-abc");
      t.is(r.headers["content-type"], "application/json");
    }
    t.deepEqual(JSON.parse(posts[0]!.body), {
      state: "pending", name: "build", description: "Build 1: queued",
      target_url: `${server.url}/projects/gl/builds/1/runs/build/`,
    });
    t.deepEqual(fake.violations, []);
  });
}
