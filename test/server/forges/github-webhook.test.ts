// Inbound GitHub webhooks over real HTTP with payloads shaped as GitHub
// documents them (test/fixtures/webhooks/github), and the commit statuses
// that follow, sent to a local stand-in for the GitHub API that checks the
// documented request format. On both store dialects.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import test from "ava";
import { ProjectService } from "../../../gen/jobserv/v1/project_pb.js";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { openStore } from "../../../server/store/db.js";
import { apiClient, eventually } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { startFakeForge, type RecordedRequest } from "../../support/fake-forge.js";
import { startMiniWorker } from "../../support/mini-worker.js";
import { startTestServer } from "../../support/server.js";

const FIXTURES = path.resolve(import.meta.dirname, "../../fixtures/webhooks/github");
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name));
const KEY = "webhook-secret-of-pr-trigger";
const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

const YAML = `
timeout: 1
triggers:
  - name: pr
    type: github_pr
    params:
      GH_BRANCH: master
    runs:
      - name: unit
        container: img
        host-tag: gh
        script: s
      - name: lint
        container: img
        host-tag: gh
        script: s
  - name: nightly
    type: simple
    runs:
      - name: n
        container: img
        script: s
scripts:
  s: "#!/bin/sh\\ntrue\\n"
`;

const sign = (body: Buffer, secret = KEY) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

async function post(url: string, body: Buffer, headers: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
  return { status: res.status, json: await res.json() as Record<string, unknown> };
}

for (const dialect of dialects) {
  test(`${dialect}: GitHub PR webhooks: signatures, bad input, builds with JobServ's params, commit statuses`, async (t) => {
    let failFirstStatus = true;
    const github = await startFakeForge(t, (r) => {
      if (r.method === "GET" && r.path === "/repos/Codertocat/Hello-World/pulls/2") return { status: 200, body: JSON.parse(fixture("pulls.get.json").toString()) };
      if (r.path.includes("/statuses/") && failFirstStatus) { failFirstStatus = false; return { status: 502, body: { message: "bad gateway" } }; }
      return undefined;
    });
    const server = await startTestServer(t, dialect, { githubApi: github.url, forgeRetryMs: 20, webhookMaxBytes: 64 * 1024 });
    const projects = apiClient(ProjectService, server.url);
    await projects.createProject({ name: "hello", definitionYaml: YAML });
    await projects.setTriggerSecrets({ project: "hello", triggerName: "pr", secrets: { "webhook-key": KEY, githubtok: "gh-token-123" } });
    const store = await openStore(server.databaseUrl);
    t.teardown(() => store.close());
    const builds = () => store.db.selectFrom("builds").selectAll().orderBy("number").execute();
    const hook = `${server.url}/github/hello/`;
    const opened = fixture("pull_request.opened.json");
    const headers = (event: string, body: Buffer, delivery: string) => ({ "x-github-event": event, "x-hub-signature-256": sign(body), "x-github-delivery": delivery });

    // Signature edge cases: 401, nothing created.
    const altered = Buffer.from(opened);
    altered[altered.length - 3] ^= 1;
    const sha1 = `sha1=${createHmac("sha1", KEY).update(opened).digest("hex")}`;
    for (const [what, body, sig] of [
      ["missing header", opened, undefined], ["wrong secret", opened, sign(opened, "not-the-key")],
      ["sha1= prefix", opened, sha1], ["sha256 of another body", opened, sign(altered)], ["body altered by one byte", altered, sign(opened)],
    ] as const) {
      const h: Record<string, string> = { "x-github-event": "pull_request", "x-github-delivery": `d-${what}` };
      if (sig) h["x-hub-signature-256"] = sig;
      const res = await post(hook, body, h);
      t.is(res.status, 401, what);
      t.regex(String(res.json["error"]), /X-Hub-Signature-256/, what);
    }
    t.is((await builds()).length, 0, "no build from unauthenticated deliveries");

    // Bad input.
    t.is((await post(`${server.url}/github/nope/`, opened, headers("pull_request", opened, "d1"))).status, 404, "unknown project");
    t.is((await post(`${server.url}/github/hello/missing/`, opened, headers("pull_request", opened, "d1"))).status, 404, "unknown trigger");
    const malformed = Buffer.from("{\"action\": \"opened\", ");
    const bad = await post(hook, malformed, headers("pull_request", malformed, "d2"));
    t.is(bad.status, 400);
    t.regex(String(bad.json["error"]), /malformed JSON/);
    const noSha = JSON.parse(opened.toString()) as { pull_request: { head: Record<string, unknown> } };
    delete noSha.pull_request.head["sha"];
    const noShaBody = Buffer.from(JSON.stringify(noSha));
    const missing = await post(hook, noShaBody, headers("pull_request", noShaBody, "d3"));
    t.is(missing.status, 400);
    t.regex(String(missing.json["error"]), /pull_request\.head\.sha/, "the missing field is named");
    const big = Buffer.from(JSON.stringify({ zen: "x".repeat(70 * 1024) }));
    t.is((await post(hook, big, headers("ping", big, "d4"))).status, 413);
    const star = Buffer.from(JSON.stringify({ action: "started" }));
    const ignored = await post(hook, star, headers("star", star, "d5"));
    t.is(ignored.status, 202);
    t.regex(String(ignored.json["ignored"]), /"star" is not handled/);
    const closed = fixture("pull_request.closed.json");
    t.is((await post(hook, closed, headers("pull_request", closed, "d6"))).status, 202, "closed PRs are not built");
    const ping = fixture("ping.json");
    const pong = await post(hook, ping, headers("ping", ping, "d7"));
    t.is(pong.status, 200);
    t.deepEqual(pong.json, { message: "pong" });
    t.is((await builds()).length, 0);

    // A PR opened: one build with JobServ's params; a redelivery creates nothing.
    const created = await post(hook, opened, headers("pull_request", opened, "delivery-1"));
    t.is(created.status, 201);
    t.is(created.json["build"], 1);
    const again = await post(hook, opened, headers("pull_request", opened, "delivery-1"));
    t.is(again.status, 200);
    t.regex(String(again.json["message"]), /handled before/);
    const [b1] = await builds();
    t.is((await builds()).length, 1, "duplicate delivery: no second build");
    t.is(b1?.trigger_name, "pr");
    t.is(b1?.reason, "GitHub PR(2): opened, https://github.com/Codertocat/Hello-World/pull/2");
    t.deepEqual(JSON.parse(b1?.params_json ?? "{}"), {
      GH_PRNUM: "2", GH_OWNER: "Codertocat", GH_REPO: "Hello-World", GH_BRANCH: "master",
      GH_STATUS_URL: `https://api.github.com/repos/Codertocat/Hello-World/statuses/${HEAD}`,
      GH_TARGET_REPO: "https://github.com/Codertocat/Hello-World.git", GIT_URL: "https://github.com/Octocat-fork/Hello-World.git",
      GIT_SHA_BASE: "f95f852bd8fca8fcc58a9a2d6c842781e32a215e", GIT_OLD_SHA: "f95f852bd8fca8fcc58a9a2d6c842781e32a215e", GIT_SHA: HEAD,
    });

    // Statuses: pending for each queued run (the first post failed with 502 and was retried).
    const statusPosts = () => github.requests.filter((r) => r.method === "POST" && r.path === `/repos/Codertocat/Hello-World/statuses/${HEAD}`);
    const bodies = () => statusPosts().map((r) => JSON.parse(r.body) as Record<string, string>);
    await eventually(async () => (statusPosts().length >= 3 ? true : undefined), 10_000, "pending statuses");
    for (const r of statusPosts()) checkGithubRequest(t, r);
    const unitUrl = `${server.url}/projects/hello/builds/1/runs/unit/`;
    t.deepEqual(bodies().find((b) => b["context"] === "unit"), { state: "pending", target_url: unitUrl, description: "Build 1: queued", context: "unit" });
    t.true(bodies().some((b) => b["context"] === "lint" && b["state"] === "pending"));

    // A worker runs them: unit passes, lint fails -> success and failure.
    void startMiniWorker(t, server.url, "w", ["gh"], 2, (a, client) => {
      const def = a.definition!;
      void (async () => {
        await client.updateRun({ runId: def.runId, runToken: a.runToken, status: Status.RUNNING });
        await client.updateRun({ runId: def.runId, runToken: a.runToken, status: def.runName === "unit" ? Status.PASSED : Status.FAILED, message: "done" });
      })().catch(() => { /* later builds' runs may still be reporting when the server closes */ });
    });
    await eventually(async () => (bodies().some((b) => b["context"] === "unit" && b["state"] === "success")
      && bodies().some((b) => b["context"] === "lint" && b["state"] === "failure") ? true : undefined), 15_000, "final statuses");
    const unitStates = bodies().filter((b) => b["context"] === "unit").map((b) => b["state"]);
    t.is(unitStates.at(-1), "success", "success is the last report of its run");

    // ci-retest from a member: the PR is read from the API with the token, build 2.
    const comment = fixture("issue_comment.created.json");
    const retest = await post(hook, comment, headers("issue_comment", comment, "delivery-2"));
    t.is(retest.status, 201);
    t.is(retest.json["build"], 2);
    const prGet = github.requests.find((r) => r.method === "GET");
    t.is(prGet?.path, "/repos/Codertocat/Hello-World/pulls/2");
    t.is(prGet?.headers["authorization"], "token gh-token-123");
    t.is((await builds())[1]?.reason, "GitHub PR(2): ci-retest, https://github.com/Codertocat/Hello-World/pull/2");
    const stranger = JSON.parse(comment.toString()) as { comment: { author_association: string } };
    stranger.comment.author_association = "NONE";
    const strangerBody = Buffer.from(JSON.stringify(stranger));
    const refused = await post(hook, strangerBody, headers("issue_comment", strangerBody, "delivery-3"));
    t.is(refused.status, 202);
    t.regex(String(refused.json["ignored"]), /not allowed/);

    // The trigger-specific URL, an ok-to-test label, and a push to master.
    const labeled = fixture("pull_request.labeled.json");
    const viaTrigger = await post(`${server.url}/github/hello/pr/`, labeled, headers("pull_request", labeled, "delivery-4"));
    t.is(viaTrigger.status, 201);
    t.is(viaTrigger.json["build"], 3);
    const push = fixture("push.json");
    t.is((await post(hook, push, headers("push", push, "delivery-5"))).status, 201);
    const pushParams = JSON.parse((await builds())[3]?.params_json ?? "{}") as Record<string, string>;
    t.like(pushParams, { GIT_REF: "refs/heads/master", GIT_SHA: "6113728f27ae82c7b1a177c8d03f9e96e0adf246", GH_BRANCH: "master", GIT_URL: "https://github.com/Codertocat/Hello-World.git" });
    const other = JSON.parse(opened.toString()) as { pull_request: { base: { ref: string } } };
    other.pull_request.base.ref = "develop";
    const otherBody = Buffer.from(JSON.stringify(other));
    const noTrigger = await post(hook, otherBody, headers("pull_request", otherBody, "delivery-6"));
    t.is(noTrigger.status, 202, "no trigger for the base branch");
    t.is((await builds()).length, 4);
  });
}

function checkGithubRequest(t: import("ava").ExecutionContext, r: RecordedRequest): void {
  t.is(r.headers["authorization"], "token gh-token-123");
  t.is(r.headers["accept"], "application/vnd.github+json");
  t.is(r.headers["content-type"], "application/json");
  const body = JSON.parse(r.body) as Record<string, unknown>;
  t.deepEqual(Object.keys(body).sort(), ["context", "description", "state", "target_url"]);
  t.true(["pending", "success", "failure", "error"].includes(String(body["state"])));
}
