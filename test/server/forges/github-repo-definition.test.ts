// A github_pr trigger with JOBSERV_DEFINITION_FILE builds from the definition
// file in the repository at the PR's head SHA, served by the fake GitHub
// (which checks the contents request's documented format): the build's runs,
// and the runs its chained trigger adds, come from the repository's file. A
// file that is invalid, missing or lacks the trigger creates no build; the
// commit gets a status `error` naming the problem. On both store dialects.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import test from "ava";
import { ProjectService } from "../../../gen/jobserv/v1/project_pb.js";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { openStore } from "../../../server/store/db.js";
import { apiClient, eventually } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { startFakeForge } from "../../support/fake-forge.js";
import { fakeGithubContents } from "../../support/fake-github-contents.js";
import { startMiniWorker } from "../../support/mini-worker.js";
import { forgeProject } from "../../support/projects.js";
import { startTestServer } from "../../support/server.js";

const FIXTURES = path.resolve(import.meta.dirname, "../../fixtures/webhooks/github");
const opened = readFileSync(path.join(FIXTURES, "pull_request.opened.json"));
const KEY = "webhook-secret-of-pr-trigger";
const TOKEN = "gh-token-456";
const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const INVALID = "1111111111111111111111111111111111111111";
const MISSING = "2222222222222222222222222222222222222222";
const OTHER_TRIGGER = "3333333333333333333333333333333333333333";

const STORED = forgeProject({ trigger: "pr", type: "github_pr", params: { GH_BRANCH: "master", JOBSERV_DEFINITION_FILE: ".jobserv.yml" }, run: "stored-run", tag: "gh" });

const FROM_REPO = `
timeout: 1
triggers:
  - name: pr
    type: github_pr
    runs:
      - name: repo-build
        container: img
        host-tag: gh
        script: s
        triggers:
          - name: after
  - name: after
    type: simple
    runs:
      - name: repo-after
        container: img
        host-tag: gh
        script: s
scripts:
  s: "#!/bin/sh\\necho built from the repository file\\n"
`;

const INVALID_YAML = `
timeout: 1
triggers:
  - name: pr
    type: github_pr
    runs:
      - name: repo-build
        container: img
        script: missing
scripts:
  other: "#!/bin/sh\\ntrue\\n"
`;

const sign = (body: Buffer) => `sha256=${createHmac("sha256", KEY).update(body).digest("hex")}`;

function prAt(sha: string): Buffer {
  const p = JSON.parse(opened.toString()) as { pull_request: { head: { sha: string } } };
  p.pull_request.head.sha = sha;
  return Buffer.from(JSON.stringify(p));
}

async function post(url: string, body: Buffer, delivery: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers = { "content-type": "application/json", "x-github-event": "pull_request", "x-hub-signature-256": sign(body), "x-github-delivery": delivery };
  const res = await fetch(url, { method: "POST", body, headers });
  return { status: res.status, json: await res.json() as Record<string, unknown> };
}

for (const dialect of dialects) {
  test(`${dialect}: JOBSERV_DEFINITION_FILE: the build runs the repository's definition at the PR's SHA`, async (t) => {
    const contents = fakeGithubContents("Codertocat", "Hello-World", TOKEN, {
      [HEAD]: { ".jobserv.yml": FROM_REPO },
      [INVALID]: { ".jobserv.yml": INVALID_YAML },
      [OTHER_TRIGGER]: { ".jobserv.yml": FROM_REPO.replace("- name: pr", "- name: not-pr") },
    });
    const github = await startFakeForge(t, contents.respond);
    const server = await startTestServer(t, dialect, { githubApi: github.url, forgeRetryMs: 20 });
    const projects = apiClient(ProjectService, server.url);
    await projects.createProject({ name: "repo-def", definitionYaml: STORED });
    await projects.setTriggerSecrets({ project: "repo-def", triggerName: "pr", secrets: { "webhook-key": KEY, githubtok: TOKEN } });
    const store = await openStore(server.databaseUrl);
    t.teardown(() => store.close());
    const hook = `${server.url}/github/repo-def/`;

    const created = await post(hook, prAt(HEAD), "delivery-1");
    t.is(created.status, 201, JSON.stringify(created.json));
    t.is(created.json["build"], 1);
    t.deepEqual(contents.violations, []);
    t.is(contents.seen.length, 1);
    const seen = contents.seen[0]!;
    t.is(seen.method, "GET");
    t.is(seen.path, `/repos/Codertocat/Hello-World/contents/.jobserv.yml?ref=${HEAD}`);
    t.is(seen.headers["accept"], "application/vnd.github.raw+json");
    t.is(seen.headers["authorization"], `token ${TOKEN}`);

    const build = await store.db.selectFrom("builds").selectAll().where("number", "=", 1).executeTakeFirstOrThrow();
    t.is(build.definition_yaml, FROM_REPO, "the repository's definition is stored on the build");
    t.is(build.trigger_name, "pr");
    const runsOf = () => store.db.selectFrom("runs").select(["name", "definition_json"]).where("build_id", "=", build.id).orderBy("id").execute();
    t.deepEqual((await runsOf()).map((r) => r.name), ["repo-build"], "runs from the file, not the stored definition");
    t.regex((await runsOf())[0]!.definition_json, /built from the repository file/);

    // The chained trigger exists only in the repository's file: passing repo-build adds its runs.
    void startMiniWorker(t, server.url, "w", ["gh"], 2, (a, client) => {
      const def = a.definition!;
      void (async () => {
        await client.updateRun({ runId: def.runId, runToken: a.runToken, status: Status.RUNNING });
        await client.updateRun({ runId: def.runId, runToken: a.runToken, status: Status.PASSED, message: "done" });
      })().catch(() => { /* the server may close first */ });
    });
    await eventually(async () => ((await runsOf()).length === 2 ? true : undefined), 15_000, "chained run");
    t.deepEqual((await runsOf()).map((r) => r.name), ["repo-build", "repo-after"]);

    // Unusable files: no build, a commit status `error` on that SHA, 202 with the reason.
    const statusFor = (sha: string) => github.requests.filter((r) => r.method === "POST" && r.path === `/repos/Codertocat/Hello-World/statuses/${sha}`)
      .map((r) => ({ auth: r.headers["authorization"], body: JSON.parse(r.body) as Record<string, string> }));
    for (const [sha, why] of [
      [INVALID, /triggers\[0\]\.runs\[0\]\.script \(line 9, column 17\): unknown script "missing"/],
      [MISSING, /: not found in the repository at that commit$/],
      [OTHER_TRIGGER, /no trigger named "pr"/],
    ] as const) {
      const res = await post(hook, prAt(sha), `delivery-${sha}`);
      t.is(res.status, 202, sha);
      t.regex(String(res.json["error"]), why);
      t.regex(String(res.json["error"]), new RegExp(`^no build: \\.jobserv\\.yml at ${sha}: `));
      const statuses = statusFor(sha);
      t.is(statuses.length, 1, `one error status on ${sha}`);
      t.is(statuses[0]?.auth, `token ${TOKEN}`);
      t.deepEqual(Object.keys(statuses[0]?.body ?? {}).sort(), ["context", "description", "state"]);
      t.like(statuses[0]?.body, { state: "error", context: "jobserv/pr" });
      t.regex(statuses[0]?.body["description"] ?? "", /^No build: \.jobserv\.yml: /);
      t.true((statuses[0]?.body["description"] ?? "").length <= 140);
    }
    t.deepEqual(contents.violations, []);
    t.is((await store.db.selectFrom("builds").select("id").execute()).length, 1, "no build from unusable files");
  });
}

for (const dialect of dialects) {
  test(`${dialect}: JOBSERV_DEFINITION_REPO: the definition comes from another repository's default branch or ref`, async (t) => {
    const defs = fakeGithubContents("acme", "ci-defs", TOKEN, {
      HEAD: { ".jobserv.yml": FROM_REPO },
      stable: { "ci/pr.yml": FROM_REPO.replace("repo-build", "stable-build") },
    });
    const github = await startFakeForge(t, defs.respond);
    const server = await startTestServer(t, dialect, { githubApi: github.url, forgeRetryMs: 20 });
    const projects = apiClient(ProjectService, server.url);
    const make = async (name: string, params: Record<string, string>) => {
      await projects.createProject({ name, definitionYaml: forgeProject({ trigger: "pr", type: "github_pr", params, run: "stored-run", tag: "gh" }) });
      await projects.setTriggerSecrets({ project: name, triggerName: "pr", secrets: { "webhook-key": KEY, githubtok: TOKEN } });
    };
    await make("default-branch", { JOBSERV_DEFINITION_REPO: "acme/ci-defs" });
    await make("at-ref", { JOBSERV_DEFINITION_REPO: "acme/ci-defs", JOBSERV_DEFINITION_REF: "stable", JOBSERV_DEFINITION_FILE: "ci/pr.yml" });
    await make("missing", { JOBSERV_DEFINITION_REPO: "acme/ci-defs", JOBSERV_DEFINITION_REF: "stable" });
    const store = await openStore(server.databaseUrl);
    t.teardown(() => store.close());
    const runNames = async (project: string) => (await store.db.selectFrom("runs").innerJoin("builds", "builds.id", "runs.build_id")
      .innerJoin("projects", "projects.id", "builds.project_id").select("runs.name").where("projects.name", "=", project).execute()).map((r) => r.name);

    t.is((await post(`${server.url}/github/default-branch/`, prAt(HEAD), "d-1")).status, 201);
    t.deepEqual(await runNames("default-branch"), ["repo-build"]);
    t.is((await post(`${server.url}/github/at-ref/`, prAt(HEAD), "d-2")).status, 201);
    t.deepEqual(await runNames("at-ref"), ["stable-build"]);
    t.deepEqual(defs.seen.map((r) => r.path), ["/repos/acme/ci-defs/contents/.jobserv.yml", "/repos/acme/ci-defs/contents/ci/pr.yml?ref=stable"],
      "the other repository, not the PR's, at its default branch or the given ref");

    const missing = await post(`${server.url}/github/missing/`, prAt(HEAD), "d-3");
    t.is(missing.status, 202);
    t.regex(String(missing.json["error"]), /\.jobserv\.yml at ec26c3e5\w+: not found in acme\/ci-defs@stable$/);
    const errors = github.requests.filter((r) => r.method === "POST" && r.path === `/repos/Codertocat/Hello-World/statuses/${HEAD}`)
      .map((r) => JSON.parse(r.body) as Record<string, string>).filter((b) => b["context"] === "jobserv/pr");
    t.is(errors.length, 1, "the error status goes to the PR head");
    t.is(errors[0]!["state"], "error");
    t.deepEqual(defs.violations, []);
  });
}
