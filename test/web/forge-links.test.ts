// The links the server hands out to people open the run page in a browser:
// H_RUN_URL as a real worker's container sees it, and the target URL of the
// commit status posted to GitHub (a local stand-in for its API) for a pull
// request's run. The project is private: the forge link leads through
// sign-in back to the run page.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import test from "ava";
import { ProjectService } from "../../gen/jobserv/v1/project_pb.js";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { Scope } from "../../gen/jobserv/v1/token_pb.js";
import { readLog, trigger, waitForBuild } from "../support/builds.js";
import { apiClient, eventually } from "../support/clients.js";
import { startFakeForge } from "../support/fake-forge.js";
import { startMiniWorker } from "../support/mini-worker.js";
import { forgeProject, oneRunProject } from "../support/projects.js";
import { startTestServer } from "../support/server.js";
import { newToken } from "../support/sessions.js";
import { signInWithForm, startBrowser, texts } from "../support/browser.js";
import { spawnWorker } from "../support/worker-process.js";

const KEY = "webhook-secret-of-pr-trigger";
const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const RUN_URL_YAML = oneRunProject({ tag: "test-*", run: "where", timeout: 1, script: `echo "this run's page: $H_RUN_URL"` });
const PR_YAML = forgeProject({ trigger: "pr", type: "github_pr", params: { GH_BRANCH: "master" }, run: "unit", tag: "gh" });

test("H_RUN_URL and the commit status target URL of real runs open the run page", async (t) => {
  const github = await startFakeForge(t);
  const server = await startTestServer(t, "sqlite", { githubApi: github.url });
  const projects = apiClient(ProjectService, server.url);
  await projects.createProject({ name: "links", definitionYaml: RUN_URL_YAML });
  await projects.createProject({ name: "links-pr", definitionYaml: PR_YAML });
  await projects.setTriggerSecrets({ project: "links-pr", triggerName: "pr", secrets: { "webhook-key": KEY, githubtok: "gh-token" } });
  const read = await newToken(server.url, Scope.READ, ["links", "links-pr"]);
  const b = await startBrowser(t);
  const page = await b.page();

  // H_RUN_URL, printed by the run's own container.
  const worker = spawnWorker(t, { url: server.url, name: "web-links", tags: ["test-amd64"], protocol: "connect" });
  await trigger(server.url, "links", "t");
  await waitForBuild(server.url, "links", 1, () => worker.output());
  const printed = /this run's page: (\S+)/.exec(await readLog(server.url, "links", 1, "where"))?.[1] ?? "";
  t.is(printed, `${server.url}/projects/links/builds/1/runs/where/`);
  await page.goto(printed);
  t.is(new URL(page.url()).pathname, "/login", "private: sign in first");
  await signInWithForm(page, read.secret);
  t.is(page.url(), printed, "then the run page");
  await page.waitForFunction(() => [...document.querySelectorAll(".log-line .lt")].some((e) => e.textContent?.startsWith("this run's page: ")));
  t.deepEqual(await texts(page, "#main h1"), ["where passed"]);

  // A pull request's run: its commit status links the run page.
  const opened = readFileSync(path.resolve(import.meta.dirname, "../fixtures/webhooks/github/pull_request.opened.json"));
  const res = await fetch(`${server.url}/github/links-pr/`, {
    method: "POST", body: opened,
    headers: { "content-type": "application/json", "x-github-event": "pull_request", "x-github-delivery": "links-1", "x-hub-signature-256": `sha256=${createHmac("sha256", KEY).update(opened).digest("hex")}` },
  });
  t.is(res.status, 201);
  await startMiniWorker(t, server.url, "gh-worker", ["gh"], 1, (a, client) => {
    const run = { runId: a.definition!.runId, runToken: a.runToken };
    void (async () => {
      await client.updateRun({ ...run, status: Status.RUNNING });
      await client.appendLog({ ...run, offset: 0n, data: Buffer.from("unit tests: all green\n") });
      await client.updateRun({ ...run, status: Status.PASSED });
    })().catch(() => { /* the server may be closing at teardown */ });
  });
  const success = await eventually(async () => github.requests
    .filter((r) => r.method === "POST" && r.path === `/repos/Codertocat/Hello-World/statuses/${HEAD}`)
    .map((r) => JSON.parse(r.body) as { state: string; target_url: string })
    .find((s) => s.state === "success"), 20_000, "the success status of unit");
  t.is(success.target_url, `${server.url}/projects/links-pr/builds/1/runs/unit/`);
  await page.goto(success.target_url);
  t.is(page.url(), success.target_url, "the session opens it directly");
  await page.waitForFunction(() => [...document.querySelectorAll(".log-line .lt")].some((e) => e.textContent === "unit tests: all green"));
  await page.waitForFunction(() => document.querySelector("#main h1 .status")?.textContent === "passed");
  await b.shot(page, "run-from-commit-status");
  b.noErrors();
});
