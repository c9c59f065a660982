// Fuzz: mutated GitHub and GitLab webhook deliveries (the payloads of
// test/fixtures/webhooks, changed structurally and byte by byte, mostly with
// a valid signature or token over the damaged body so the parsers are
// reached, some with a wrong one, some with a wrong event header or content
// type) against a real server process whose forge APIs are a local fake
// (PRs, members and versions served; everything else 404). No answer may be
// a server fault or slower than the bound; /healthz stays quick (issue 9).
// Seeded: JOBSERV_FUZZ_SEED / JOBSERV_FUZZ_CASES.
import { createHmac } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import test from "ava";
import { adminHeaders } from "../support/auth.js";
import { startFakeForge } from "../support/fake-forge.js";
import { fakeGitlabApi } from "../support/fake-gitlab-api.js";
import { caseRng, fuzzConfig, FuzzLog, httpAnswer, startHealthPoller } from "./support/harness.js";
import { connectJson, startFuzzServer } from "./support/fuzz-server.js";
import { mutateBytes, mutateValue } from "./support/mutate.js";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/webhooks");
const load = (forge: string) => readdirSync(path.join(FIXTURES, forge)).filter((f) => f.endsWith(".json"))
  .map((f) => ({ name: f, json: JSON.parse(readFileSync(path.join(FIXTURES, forge, f), "utf8")) as unknown }));
const GITHUB = load("github").filter((f) => f.name !== "pulls.get.json");
const GITLAB = load("gitlab");
const KEY = "fuzz-hook-key";

const GITHUB_EVENTS: Record<string, string> = {
  "issue_comment.created.json": "issue_comment", "ping.json": "ping", "push.json": "push",
  "pull_request.closed.json": "pull_request", "pull_request.labeled.json": "pull_request", "pull_request.opened.json": "pull_request",
};
const GITLAB_EVENTS: Record<string, string> = {
  "merge_request.open.json": "Merge Request Hook", "merge_request.update-title.json": "Merge Request Hook", "note.merge_request.json": "Note Hook",
};
const ODD_EVENTS = ["", "star", "Pull_Request", "Push Hook", "ping", "issue_comment", "x".repeat(300), "Note Hook", "pull_request"];

const YAML = `
timeout: 1
triggers:
  - name: pr
    type: github_pr
    params: {GH_BRANCH: master}
    runs: [{name: unit, container: img, host-tag: nobody, script: s}]
  - name: defs
    type: github_pr
    params: {GH_BRANCH: develop, JOBSERV_DEFINITION_FILE: .jobserv.yml}
    runs: [{name: unit, container: img, host-tag: nobody, script: s}]
  - name: mr
    type: gitlab_mr
    runs: [{name: unit, container: img, host-tag: nobody, script: s}]
scripts:
  s: "#!/bin/sh\\ntrue\\n"
`;

test("mutated webhook deliveries: no server fault, every answer within the bound, /healthz quick", async (t) => {
  const cfg = fuzzConfig(0x5eed0002, 1500);
  const pull = JSON.parse(readFileSync(path.join(FIXTURES, "github/pulls.get.json"), "utf8")) as unknown;
  const gitlab = fakeGitlabApi({
    token: "glpat-fuzz",
    versions: { "14!1": [{ head_commit_sha: "da1560886d4f094c3e6c9ef40349f7d38b5d27d7", base_commit_sha: "b".repeat(40), start_commit_sha: "b".repeat(40) }] },
    members: { "14/1": 40 },
  });
  const forge = await startFakeForge(t, (r) => {
    if (r.path.startsWith("/api/v4/")) return gitlab.respond(r);
    if (r.method === "GET" && r.path === "/repos/Codertocat/Hello-World/pulls/2") return { status: 200, body: pull };
    if (r.method === "GET") return { status: 404, body: { message: "Not Found" } };
    return undefined;
  });
  const server = await startFuzzServer(t, {
    JOBSERV_GITHUB_API: forge.url, JOBSERV_GITLAB_API: `${forge.url}/api/v4`, JOBSERV_FORGE_RETRY_MS: "5", JOBSERV_WEBHOOK_MAX_BYTES: String(1024 * 1024),
  });
  const project = "jobserv.v1.ProjectService";
  t.is((await connectJson(server.url, `${project}/CreateProject`, { name: "fz", definitionYaml: YAML })).status, 200);
  for (const [trigger, tok] of [["pr", { githubtok: "ghtok" }], ["defs", { githubtok: "ghtok" }], ["mr", { gitlabtok: "glpat-fuzz" }]] as const) {
    const res = await connectJson(server.url, `${project}/SetTriggerSecrets`, { project: "fz", triggerName: trigger, secrets: { "webhook-key": KEY, ...tok } }, adminHeaders);
    t.is(res.status, 200);
  }
  // Warm-up: each fixture once, valid (first-use costs are not what /healthz is watched for).
  for (const f of [...GITHUB, ...GITLAB]) {
    const body = Buffer.from(JSON.stringify(f.json));
    const github = f.name in GITHUB_EVENTS;
    const headers: Record<string, string> = github
      ? { "x-github-event": GITHUB_EVENTS[f.name]!, "x-hub-signature-256": `sha256=${createHmac("sha256", KEY).update(body).digest("hex")}` }
      : { "x-gitlab-event": GITLAB_EVENTS[f.name]!, "x-gitlab-token": KEY };
    const res = await fetch(`${server.url}/${github ? "github" : "gitlab"}/fz/`, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
    t.true(res.status < 300, `${f.name}: ${res.status} ${await res.text()}`);
  }
  const log = new FuzzLog("webhooks", cfg);
  const health = await startHealthPoller(t, server.url);
  await log.runAll((i) => {
    const r = caseRng(cfg.seed, i);
    const github = r.int(3) !== 0;
    const source = r.pick(github ? GITHUB : GITLAB);
    let what = source.name;
    let value = source.json;
    if (r.int(5) !== 0) {
      const rounds = 1 + r.int(3);
      for (let k = 0; k < rounds; k++) {
        const m = mutateValue(r, value, r.int(20) === 0);
        value = m.value;
        what += `; ${m.what}`;
      }
    }
    let body: Uint8Array = Buffer.from(JSON.stringify(value));
    if (r.int(3) === 0) {
      const m = mutateBytes(r, body);
      body = m.value;
      what += `; ${m.what}`;
    }
    const oddEvent = r.int(10) === 0;
    const headers: Record<string, string> = { "content-type": "application/json" };
    let url: string;
    if (github) {
      headers["x-github-event"] = oddEvent ? r.pick(ODD_EVENTS) : GITHUB_EVENTS[source.name] ?? "ping";
      headers["x-github-delivery"] = `fz-${cfg.seed}-${i}`;
      if (r.int(6) === 0) {
        body = Buffer.from(new URLSearchParams({ payload: Buffer.from(body).toString("utf8") }).toString());
        headers["content-type"] = r.pick(["application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=latin1", "text/plain", ""]);
        what += "; as a form";
      }
      const signed = r.int(5) === 0 ? Buffer.from(JSON.stringify(source.json)) : body;
      headers["x-hub-signature-256"] = `sha256=${createHmac("sha256", r.int(8) === 0 ? "wrong" : KEY).update(signed).digest("hex")}`;
      url = `${server.url}/github/fz/${r.pick(["", "", "pr/", "defs/", "mr/", "nope/"])}`;
    } else {
      headers["x-gitlab-event"] = oddEvent ? r.pick(ODD_EVENTS) : GITLAB_EVENTS[source.name] ?? "Push Hook";
      headers["x-gitlab-event-uuid"] = `fz-${cfg.seed}-${i}`;
      headers["x-gitlab-token"] = r.int(8) === 0 ? "wrong" : KEY;
      url = `${server.url}/gitlab/fz/${r.pick(["", "", "mr/", "pr/"])}`;
    }
    what += `; ${JSON.stringify(headers).slice(0, 120)}`;
    const kind = github ? `github ${headers["x-github-event"]?.slice(0, 20)}` : `gitlab ${headers["x-gitlab-event"]?.slice(0, 20)}`;
    return { kind, what, send: async () => httpAnswer(await fetch(url, { method: "POST", body, headers, signal: AbortSignal.timeout(10_000) })) };
  });
  log.assert(t, await health.stop());
});
