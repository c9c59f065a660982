// Forge webhook deliveries as an operator sees them, against a real server
// process (its JSON log on stdout): GitHub's two content types (JSON, and the
// form's `payload=<json>`) for ping and pull_request, the signature checked
// over the raw body; every delivery logged once with request id, forge,
// event, delivery id and outcome (a signature mismatch included); a forge API
// that cannot be reached logged with its URL and the real cause; the startup
// line in JSON; and jobserv_webhook_deliveries_total counting the outcomes.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import test from "ava";
import { BuildService } from "../../../gen/jobserv/v1/build_pb.js";
import { ProjectService } from "../../../gen/jobserv/v1/project_pb.js";
import { apiClient, eventually } from "../../support/clients.js";
import { freshDatabaseUrl } from "../../support/db.js";
import { parsePrometheus } from "../../support/prometheus.js";
import { freePort, ServerProcess } from "../../support/server-process.js";

const FIXTURES = path.resolve(import.meta.dirname, "../../fixtures/webhooks/github");
const KEY = "form-and-json-key";
const YAML = `
timeout: 1
triggers:
  - name: pr
    type: github_pr
    params:
      GH_BRANCH: master
    runs: [{name: unit, container: img, host-tag: gh, script: s}]
  - name: defs
    type: github_pr
    params:
      GH_BRANCH: develop
      JOBSERV_DEFINITION_FILE: .jobserv.yml
    runs: [{name: unit, container: img, host-tag: gh, script: s}]
scripts:
  s: "#!/bin/sh\\ntrue\\n"
`;

const sign = (body: Buffer) => `sha256=${createHmac("sha256", KEY).update(body).digest("hex")}`;
const form = (json: Buffer) => Buffer.from(new URLSearchParams({ payload: json.toString("utf8") }).toString());
const FORM = "application/x-www-form-urlencoded";

interface LogLine { msg: string; level: number; [k: string]: unknown }

function logLines(output: string): LogLine[] {
  return output.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as LogLine);
}

test("GitHub form and JSON deliveries, each logged once with its outcome; forge API failures name URL and cause", async (t) => {
  const closedPort = await freePort(); // nothing listens there: connections are refused
  const server = await ServerProcess.start(t, await freshDatabaseUrl(t, "sqlite"), {
    JOBSERV_LOG_LEVEL: "info", JOBSERV_GITHUB_API: `http://127.0.0.1:${closedPort}/api`, JOBSERV_FORGE_RETRY_MS: "10",
  });
  const startup = await eventually(async () => logLines(server.output()).find((l) => l.msg === "jobserv server listening"), 5000, "the startup line");
  t.like(startup, { url: server.url, store: "sqlite" });

  const projects = apiClient(ProjectService, server.url);
  await projects.createProject({ name: "hello", definitionYaml: YAML });
  for (const trigger of ["pr", "defs"]) await projects.setTriggerSecrets({ project: "hello", triggerName: trigger, secrets: { "webhook-key": KEY } });
  const hook = `${server.url}/github/hello/`;
  const post = async (event: string, delivery: string, body: Buffer, contentType: string, signature = sign(body)) => {
    const res = await fetch(hook, { method: "POST", body, headers: {
      "content-type": contentType, "x-github-event": event, "x-github-delivery": delivery, "x-hub-signature-256": signature, "x-request-id": `req-${delivery}`,
    } });
    return { status: res.status, json: await res.json() as Record<string, unknown>, reqId: res.headers.get("x-request-id") };
  };

  const ping = readFileSync(path.join(FIXTURES, "ping.json"));
  t.like(await post("ping", "p-json", ping, "application/json"), { status: 200, json: { message: "pong" }, reqId: "req-p-json" });
  t.like(await post("ping", "p-form", form(ping), FORM), { status: 200, json: { message: "pong" } });

  const opened = readFileSync(path.join(FIXTURES, "pull_request.opened.json"));
  t.like(await post("pull_request", "pr-form", form(opened), `${FORM}; charset=utf-8`), { status: 201, json: { build: 1 } });
  t.like(await post("pull_request", "pr-json", opened, "application/json"), { status: 201, json: { build: 2 } });
  const { build } = await apiClient(BuildService, server.url).getBuild({ project: "hello", number: 1 });
  t.like(build?.params, { GH_PRNUM: "2", GH_OWNER: "Codertocat", GIT_SHA: "ec26c3e57ca3a959ca5aad62de7213c562f8c821" }, "the form's payload was parsed");

  // The signature covers the raw body: one made over the JSON does not authenticate its form delivery.
  const mismatch = await post("pull_request", "pr-bad-sig", form(opened), FORM, sign(opened));
  t.is(mismatch.status, 401);
  t.regex(String(mismatch.json["error"]), /signature does not match/);
  const noPayload = Buffer.from("zen=nothing");
  t.like(await post("ping", "p-empty", noPayload, FORM), { status: 400, json: { error: "body: a form delivery without its payload field" } });

  // A PR to develop: its definition is read from the GitHub API, which is not reachable.
  const toDevelop = JSON.parse(opened.toString()) as { pull_request: { base: { ref: string } } };
  toDevelop.pull_request.base.ref = "develop";
  const develop = await post("pull_request", "pr-develop", Buffer.from(JSON.stringify(toDevelop)), "application/json");
  t.is(develop.status, 202);
  t.regex(String(develop.json["error"]), /ECONNREFUSED/, "the reason names the cause, not `fetch failed`");

  const lines = await eventually(async () => {
    const all = logLines(server.output());
    return all.filter((l) => l.msg === "webhook").length >= 7 && all.some((l) => /failed$/.test(l.msg)) ? all : undefined;
  }, 10_000, () => `the webhook log lines in ${server.output()}`);
  const webhooks = lines.filter((l) => l.msg === "webhook");
  const byDelivery = new Map(webhooks.map((l) => [l["delivery"], l]));
  t.is(byDelivery.size, webhooks.length, "one line per delivery");
  t.like(byDelivery.get("p-json"), { reqId: "req-p-json", forge: "github", event: "ping", project: "hello", status: 200, outcome: "pong" });
  t.like(byDelivery.get("p-form"), { event: "ping", outcome: "pong" });
  t.like(byDelivery.get("pr-form"), { event: "pull_request", status: 201, outcome: "build", build: 1 });
  t.like(byDelivery.get("pr-bad-sig"), { reqId: "req-pr-bad-sig", status: 401, outcome: "unauthenticated", level: 30 });
  t.regex(String(byDelivery.get("pr-bad-sig")?.["reason"]), /X-Hub-Signature-256: signature does not match/);
  t.like(byDelivery.get("p-empty"), { status: 400, outcome: "bad_request" });
  t.like(byDelivery.get("pr-develop"), { status: 202, outcome: "refused" });
  const apiFailure = lines.find((l) => /failed$/.test(l.msg) && String(l["err"]).includes("/contents/"));
  t.truthy(apiFailure, JSON.stringify(lines.filter((l) => /failed$/.test(l.msg))));
  t.regex(String(apiFailure?.["err"]), new RegExp(`http://127\\.0\\.0\\.1:${closedPort}/api/repos/Codertocat/Hello-World/contents/\\.jobserv\\.yml.*ECONNREFUSED`));
  t.false(lines.some((l) => JSON.stringify(l).includes("fetch failed")), "never the bare `fetch failed`");
  t.false(server.output().split("\n").some((l) => l.trim() !== "" && !l.startsWith("{")), "every line the server writes is JSON");

  const metrics = parsePrometheus(await (await fetch(`${server.url}/metrics`)).text());
  const count = (event: string, outcome: string) => metrics.get("jobserv_webhook_deliveries_total", { forge: "github", event, outcome });
  t.is(count("ping", "pong"), 2);
  t.is(count("pull_request", "build"), 2);
  t.is(count("pull_request", "unauthenticated"), 1);
  t.is(count("ping", "bad_request"), 1);
  t.is(count("pull_request", "refused"), 1);
});
