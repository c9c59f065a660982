// No webhook answers 500 because a forge's API failed (issue 9, item 4): each
// forge call a delivery depends on (GitHub's PR lookup for ci-retest and its
// contents API; GitLab's members, files and versions APIs), against a local
// stand-in that answers 404, 500, a body that is not the expected JSON, or
// against a closed port. The delivery answers 2xx with the reason in the body
// and creates no build (or, for GitLab's versions API, builds without
// GIT_SHA_BASE). On both store dialects.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import test, { type ExecutionContext } from "ava";
import { ProjectService } from "../../../gen/jobserv/v1/project_pb.js";
import { openStore } from "../../../server/store/db.js";
import { apiClient } from "../../support/clients.js";
import { dialects, type Dialect } from "../../support/db.js";
import { startFakeForge, type Reply } from "../../support/fake-forge.js";
import { forgeProject } from "../../support/projects.js";
import { startTestServer } from "../../support/server.js";
import { freePort } from "../../support/server-process.js";

const FIXTURES = path.resolve(import.meta.dirname, "../../fixtures/webhooks");
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name));
const KEY = "hook-key";

/** What the stand-in answers to every API call, by name. */
const REPLIES: Record<string, Reply> = {
  "404": { status: 404, body: { message: "Not Found" } },
  "500": { status: 500, body: { message: "Server Error" } },
  "no fields": { status: 200, body: {} },
  "not JSON": { status: 200, raw: { text: "<html>maintenance</html>", contentType: "text/html" } },
  "JSON null": { status: 200, raw: { text: "null", contentType: "application/json" } },
};

interface Answer { status: number; json: Record<string, unknown> }

async function server(t: ExecutionContext, dialect: Dialect, api: { githubApi?: string; gitlabApi?: string }, yaml: string, trigger: string, secrets: Record<string, string>) {
  const s = await startTestServer(t, dialect, { ...api, forgeRetryMs: 5 });
  const projects = apiClient(ProjectService, s.url);
  await projects.createProject({ name: "p", definitionYaml: yaml });
  await projects.setTriggerSecrets({ project: "p", triggerName: trigger, secrets: { "webhook-key": KEY, ...secrets } });
  const store = await openStore(s.databaseUrl);
  t.teardown(() => store.close());
  const builds = async () => (await store.db.selectFrom("builds").select("number").execute()).length;
  return { url: s.url, builds };
}

async function post(url: string, body: Buffer, headers: Record<string, string>): Promise<Answer> {
  const res = await fetch(url, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text) as Record<string, unknown> };
}

const githubHeaders = (event: string, body: Buffer, delivery: string) => ({
  "x-github-event": event, "x-github-delivery": delivery, "x-hub-signature-256": `sha256=${createHmac("sha256", KEY).update(body).digest("hex")}`,
});

for (const dialect of dialects) {
  test(`${dialect}: GitHub ci-retest whose PR lookup fails answers 202 with the reason, never 500`, async (t) => {
    let reply: Reply = REPLIES["404"]!;
    const github = await startFakeForge(t, () => reply);
    const closed = await freePort();
    const yaml = forgeProject({ trigger: "pr", type: "github_pr", run: "unit", tag: "gh" });
    const up = await server(t, dialect, { githubApi: github.url }, yaml, "pr", { githubtok: "tok" });
    const down = await server(t, dialect, { githubApi: `http://127.0.0.1:${closed}` }, yaml, "pr", { githubtok: "tok" });
    const comment = fixture("github/issue_comment.created.json");
    let n = 0;
    const cases: [string, () => Promise<Answer>, RegExp][] = [
      ...Object.entries(REPLIES).map(([name, r]): [string, () => Promise<Answer>, RegExp] => [name, () => {
        reply = r;
        return post(`${up.url}/github/p/`, comment, githubHeaders("issue_comment", comment, `d${++n}`));
      }, name === "404" ? /HTTP 404/ : name === "500" ? /HTTP 500/ : /pull request|JSON/i]),
      ["unreachable", () => post(`${down.url}/github/p/`, comment, githubHeaders("issue_comment", comment, "d-closed")), /ECONNREFUSED/],
    ];
    for (const [name, send, why] of cases) {
      const res = await send();
      t.is(res.status, 202, `${name}: ${JSON.stringify(res.json)}`);
      t.regex(String(res.json["error"]), /ci-retest/, name);
      t.regex(String(res.json["error"]), /Codertocat\/Hello-World#2/, `${name}: the PR is named`);
      t.regex(String(res.json["error"]), why, `${name}: the cause is given`);
    }
    t.is(await up.builds() + await down.builds(), 0, "no build from a PR that could not be read");
    // The same delivery id again once the API answers: the failed delivery did not use it up.
    reply = { status: 200, body: JSON.parse(fixture("github/pulls.get.json").toString()) };
    t.is((await post(`${up.url}/github/p/`, comment, githubHeaders("issue_comment", comment, "d1"))).status, 201);
  });

  test(`${dialect}: GitHub definition file and GitLab APIs unreachable or failing: 2xx with the reason`, async (t) => {
    const closed = await freePort();
    const api = `http://127.0.0.1:${closed}`;
    // GitHub: the definition file cannot be read.
    const ghYaml = forgeProject({ trigger: "pr", type: "github_pr", run: "unit", params: { JOBSERV_DEFINITION_FILE: ".jobserv.yml" } });
    const gh = await server(t, dialect, { githubApi: api }, ghYaml, "pr", {});
    const opened = fixture("github/pull_request.opened.json");
    const ghRes = await post(`${gh.url}/github/p/`, opened, githubHeaders("pull_request", opened, "o1"));
    t.is(ghRes.status, 202);
    t.regex(String(ghRes.json["error"]), /ECONNREFUSED/);

    // GitLab: every API behind the forge fails in each way.
    let reply: Reply = REPLIES["404"]!;
    const gitlab = await startFakeForge(t, () => reply);
    const glYaml = `${forgeProject({ trigger: "mr", type: "gitlab_mr", run: "unit" })}`;
    const defYaml = forgeProject({ trigger: "mr", type: "gitlab_mr", run: "unit", params: { JOBSERV_DEFINITION_FILE: ".jobserv.yml" } });
    const targets = [
      { name: "unreachable", plain: await server(t, dialect, { gitlabApi: `${api}/api/v4` }, glYaml, "mr", { gitlabtok: "t" }),
        withFile: await server(t, dialect, { gitlabApi: `${api}/api/v4` }, defYaml, "mr", { gitlabtok: "t" }), replies: [REPLIES["404"]!] },
      { name: "failing", plain: await server(t, dialect, { gitlabApi: `${gitlab.url}/api/v4` }, glYaml, "mr", { gitlabtok: "t" }),
        withFile: await server(t, dialect, { gitlabApi: `${gitlab.url}/api/v4` }, defYaml, "mr", { gitlabtok: "t" }), replies: Object.values(REPLIES) },
    ];
    const glHeaders = (event: string, uuid: string) => ({ "x-gitlab-event": event, "x-gitlab-token": KEY, "x-gitlab-event-uuid": uuid });
    let n = 0;
    for (const target of targets) {
      for (const r of target.replies) {
        reply = r;
        const what = `${target.name} ${r.status} ${r.raw?.text ?? JSON.stringify(r.body)}`;
        const note = await post(`${target.plain.url}/gitlab/p/`, fixture("gitlab/note.merge_request.json"), glHeaders("Note Hook", `n${++n}`));
        t.is(note.status, 202, `note, ${what}: ${JSON.stringify(note.json)}`);
        t.regex(String(note.json["ignored"]), /ci-retest/, `note, ${what}`);
        const file = await post(`${target.withFile.url}/gitlab/p/`, fixture("gitlab/merge_request.open.json"), glHeaders("Merge Request Hook", `f${++n}`));
        t.is(file.status, 202, `definition file, ${what}: ${JSON.stringify(file.json)}`);
        t.regex(String(file.json["error"]), /\.jobserv\.yml/, `definition file, ${what}`);
        // Without a definition file only the versions API is asked: the build goes ahead without GIT_SHA_BASE.
        const open = await post(`${target.plain.url}/gitlab/p/`, fixture("gitlab/merge_request.open.json"), glHeaders("Merge Request Hook", `o${++n}`));
        t.is(open.status, 201, `versions API, ${what}: ${JSON.stringify(open.json)}`);
      }
    }
  });
}
