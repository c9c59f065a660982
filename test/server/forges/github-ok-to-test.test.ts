// `ok-to-test` gating (GH_REQUIRE_OK_TO_TEST) over real HTTP with GitHub's
// payloads: an outside contributor's PR is not built on opened, synchronize
// or reopened (202 with the reason, and its definition file is not even
// read); the `ok-to-test` label builds it, as does a member's `ci-retest`;
// members' PRs build at once; a trigger without the param builds everyone's.
// The gated trigger reads its definition from the repository (nested path).
// On both store dialects.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import test from "ava";
import { ProjectService } from "../../../gen/jobserv/v1/project_pb.js";
import { openStore } from "../../../server/store/db.js";
import { apiClient } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { startFakeForge } from "../../support/fake-forge.js";
import { fakeGithubContents } from "../../support/fake-github-contents.js";
import { forgeProject } from "../../support/projects.js";
import { startTestServer } from "../../support/server.js";

const FIXTURES = path.resolve(import.meta.dirname, "../../fixtures/webhooks/github");
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name));
const KEY = "webhook-secret-of-pr-trigger";
const TOKEN = "gh-token-789";
const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

const project = (params: Record<string, string>) => forgeProject({ trigger: "pr", type: "github_pr", params, run: "stored-run" });

const FROM_REPO = forgeProject({ trigger: "pr", type: "github_pr", run: "repo-run" });

const sign = (body: Buffer) => `sha256=${createHmac("sha256", KEY).update(body).digest("hex")}`;

interface Payload { action: string; label: { name: string }; pull_request: { author_association: string } }

function edit(name: string, change: (p: Payload) => void): Buffer {
  const p = JSON.parse(fixture(name).toString()) as Payload;
  change(p);
  return Buffer.from(JSON.stringify(p));
}

async function post(url: string, event: string, body: Buffer, delivery: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers = { "content-type": "application/json", "x-github-event": event, "x-hub-signature-256": sign(body), "x-github-delivery": delivery };
  const res = await fetch(url, { method: "POST", body, headers });
  return { status: res.status, json: await res.json() as Record<string, unknown> };
}

for (const dialect of dialects) {
  test(`${dialect}: GH_REQUIRE_OK_TO_TEST: outside contributors' PRs build after the ok-to-test label`, async (t) => {
    const contents = fakeGithubContents("Codertocat", "Hello-World", TOKEN, { [HEAD]: { "ci/jobserv.yml": FROM_REPO } });
    const github = await startFakeForge(t, (r) => {
      if (r.method === "GET" && r.path === "/repos/Codertocat/Hello-World/pulls/2") return { status: 200, body: JSON.parse(fixture("pulls.get.json").toString()) };
      return contents.respond(r);
    });
    const server = await startTestServer(t, dialect, { githubApi: github.url, forgeRetryMs: 20 });
    const projects = apiClient(ProjectService, server.url);
    await projects.createProject({ name: "gated", definitionYaml: project({ GH_REQUIRE_OK_TO_TEST: "yes", JOBSERV_DEFINITION_FILE: "ci/jobserv.yml" }) });
    await projects.createProject({ name: "open", definitionYaml: project({ GH_BRANCH: "master" }) });
    for (const name of ["gated", "open"]) {
      await projects.setTriggerSecrets({ project: name, triggerName: "pr", secrets: { "webhook-key": KEY, githubtok: TOKEN } });
    }
    const store = await openStore(server.databaseUrl);
    t.teardown(() => store.close());
    const buildsOf = (name: string) => store.db.selectFrom("builds").innerJoin("projects", "projects.id", "builds.project_id")
      .select(["builds.id", "builds.number", "builds.reason"]).where("projects.name", "=", name).orderBy("builds.number").execute();
    const runNames = async (buildId: number) => (await store.db.selectFrom("runs").select("name").where("build_id", "=", buildId).execute()).map((r) => r.name);
    const gated = `${server.url}/github/gated/`;

    // The fixture PR is from a CONTRIBUTOR: opened, synchronize, reopened build nothing.
    for (const action of ["opened", "synchronize", "reopened"]) {
      const body = edit("pull_request.opened.json", (p) => { p.action = action; });
      const res = await post(gated, "pull_request", body, `gated-${action}`);
      t.is(res.status, 202, action);
      t.is(res.json["ignored"], 'pull request by Codertocat (CONTRIBUTOR) needs the "ok-to-test" label from a maintainer (GH_REQUIRE_OK_TO_TEST is set)', action);
    }
    const otherLabel = edit("pull_request.labeled.json", (p) => { p.label.name = "bug"; });
    t.is((await post(gated, "pull_request", otherLabel, "gated-bug")).status, 202, "another label builds nothing");
    t.is((await buildsOf("gated")).length, 0);
    t.is(contents.seen.length, 0, "the outside PR's definition file is not read before approval");

    // A maintainer adds ok-to-test: the PR builds, from the repository's file.
    const labeled = await post(gated, "pull_request", fixture("pull_request.labeled.json"), "gated-labeled");
    t.is(labeled.status, 201, JSON.stringify(labeled.json));
    t.is(labeled.json["build"], 1);
    const [b1] = await buildsOf("gated");
    t.regex(b1?.reason ?? "", /labeled/);
    t.deepEqual(await runNames(b1!.id), ["repo-run"]);
    t.is(contents.seen.length, 1);
    t.is(contents.seen[0]?.path, `/repos/Codertocat/Hello-World/contents/ci/jobserv.yml?ref=${HEAD}`);
    t.deepEqual(contents.violations, []);

    // A member's ci-retest approves the head too; a member's own PR builds at once.
    const retest = await post(gated, "issue_comment", fixture("issue_comment.created.json"), "gated-retest");
    t.is(retest.status, 201, JSON.stringify(retest.json));
    const member = edit("pull_request.opened.json", (p) => { p.action = "synchronize"; p.pull_request.author_association = "MEMBER"; });
    const memberRes = await post(gated, "pull_request", member, "gated-member");
    t.is(memberRes.status, 201, JSON.stringify(memberRes.json));
    t.deepEqual((await buildsOf("gated")).map((b) => b.number), [1, 2, 3]);

    // Without the param, the contributor's PR builds on opened (from the stored definition).
    const open = await post(`${server.url}/github/open/`, "pull_request", fixture("pull_request.opened.json"), "open-opened");
    t.is(open.status, 201, JSON.stringify(open.json));
    const [o1] = await buildsOf("open");
    t.deepEqual(await runNames(o1!.id), ["stored-run"]);
  });
}
