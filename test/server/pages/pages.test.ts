// The page URLs over HTTP (no browser): content negotiation (browsers get the
// page, API clients the same JSON as the RPCs), sign-in before private
// things (pages and plain links), 404/403 pages, what the document tells the
// script (who is signed in), and the built assets: hashed names cached for a
// year, compressed, the same on two instances, within the size budget.
import test from "ava";
import { brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";
import { BuildService } from "../../../gen/jobserv/v1/build_pb.js";
import { ProjectService } from "../../../gen/jobserv/v1/project_pb.js";
import { RunService } from "../../../gen/jobserv/v1/run_pb.js";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { Scope } from "../../../gen/jobserv/v1/token_pb.js";
import { adminHeaders } from "../../support/auth.js";
import { applyProject, trigger } from "../../support/builds.js";
import { apiClient } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { startTestServer } from "../../support/server.js";
import { newToken, signIn } from "../../support/sessions.js";

const YAML = "timeout: 1\ntriggers:\n  - name: t\n    type: simple\n    runs:\n      - name: r\n        container: img\n        host-tag: nobody-has-it\n        script: s\nscripts:\n  s: \"#!/bin/sh\\ntrue\\n\"\n";
/** What Chromium sends when it navigates. */
const BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8";

interface Page { status: number; type: string; context?: { viewer: { name: string; scope: string; projects: string[]; expiresAt?: number } | null; status: number; error?: string }; html: string; headers: Headers }

async function open(url: string, headers: Record<string, string> = {}): Promise<Page> {
  const res = await fetch(url, { headers: { accept: BROWSER, ...headers }, redirect: "manual" });
  const html = await res.text();
  const m = /<script type="application\/json" id="jobserv-page">(.*?)<\/script>/.exec(html);
  return { status: res.status, type: res.headers.get("content-type") ?? "", html, headers: res.headers, ...(m ? { context: JSON.parse(m[1]!) as Page["context"] } : {}) };
}

for (const dialect of dialects) {
  test(`${dialect}: browsers get pages and API clients JSON at the same URLs; private things lead to sign-in and back`, async (t) => {
    const server = await startTestServer(t, dialect);
    await applyProject(server.url, "priv", YAML);
    await apiClient(ProjectService, server.url).createProject({ name: "pub", definitionYaml: YAML, public: true });
    await trigger(server.url, "priv", "t");
    await trigger(server.url, "pub", "t");
    const read = await newToken(server.url, Scope.READ, ["priv"], "reader <b>&</b>");
    const cookie = await signIn(server.url, read.secret);
    const build = `${server.url}/projects/priv/builds/1/`;
    const run = `${build}runs/r/`;

    // The page, to a browser with a session: the document names the viewer (escaped inside the script tag).
    const page = await open(build, { cookie });
    t.is(page.status, 200);
    t.regex(page.type, /^text\/html/);
    t.regex(page.headers.get("content-security-policy") ?? "", /script-src 'self'/);
    t.is(page.headers.get("cache-control"), "no-store");
    const expiresAt = page.context?.viewer?.expiresAt ?? 0;
    t.true(Math.abs(expiresAt - (Date.now() + 7 * 24 * 3600_000)) < 60_000, "the session's end, a week from sign-in");
    t.deepEqual(page.context, { viewer: { name: "reader <b>&</b>", scope: "read", projects: ["priv"], expiresAt }, status: 200 });
    t.false(page.html.includes("<b>&</b>"), "names are escaped in the document");
    t.is((await open(run, { cookie })).status, 200, "the run page (H_RUN_URL)");

    // JSON to API clients: Accept JSON, */* or none, JobServ's JSend documents of what the RPCs answer.
    const { build: rpcBuild } = await apiClient(BuildService, server.url).getBuild({ project: "priv", number: 1 });
    const { run: rpcRun } = await apiClient(RunService, server.url).getRun({ ref: { project: "priv", buildNumber: 1, run: "r" } });
    for (const accept of ["application/json", "*/*", undefined, "text/html;q=0.5, application/json"]) {
      const headers = { ...adminHeaders, ...(accept ? { accept } : {}) };
      const b = await fetch(build, { headers });
      t.regex(b.headers.get("content-type") ?? "", /^application\/json/, `build with Accept ${accept}`);
      t.is((await b.json() as { data: { build: { build_id: number } } }).data.build.build_id, 1);
      const r = await fetch(run, { headers });
      t.regex(r.headers.get("content-type") ?? "", /^application\/json/, `run with Accept ${accept}`);
      const runJson = (await r.json() as { data: { run: { name: string; status: string; status_events: unknown[] } } }).data.run;
      t.like(runJson, { name: rpcRun!.name, status: Status[rpcRun!.status] }, "the run as GetRun answers it");
      t.is(runJson.status_events.length, rpcRun!.statusEvents.length);
    }
    t.truthy(rpcBuild?.statusEvents.length, "GetBuild carries the status history");

    // Without a session: private pages and plain links go to sign-in and come back; API clients still get 401.
    for (const path of ["/projects/priv/", "/projects/priv/builds/1/", "/projects/priv/builds/1/runs/r/", "/projects/priv/builds/1/runs/r/console.log", "/workers/"]) {
      const p = await open(`${server.url}${path}`);
      t.is(p.status, 303, `${path} without a session`);
      t.is(p.headers.get("location"), `/login?${new URLSearchParams({ next: path })}`);
    }
    t.is((await fetch(run)).status, 401, "an API client without a token");
    t.is((await fetch(`${run}console.log`)).status, 401);
    t.is((await open(`${server.url}/projects/priv/builds/1/runs/r/console.log`, { cookie })).status, 200, "the session opens plain links");

    // Public projects need no session; the document then names nobody.
    const pub = await open(`${server.url}/projects/pub/builds/1/runs/r/`);
    t.is(pub.status, 200);
    t.deepEqual(pub.context, { viewer: null, status: 200 });
    t.is((await open(`${server.url}/`)).status, 200);
    t.is((await open(`${server.url}/login?next=/x/`)).status, 200);

    // Missing things and too small a scope: the page says so, with the status.
    const missing = await open(`${server.url}/projects/priv/builds/9/`, { cookie });
    t.is(missing.status, 404);
    t.regex(missing.context?.error ?? "", /build priv#9 not found/);
    t.is((await open(`${server.url}/projects/priv/builds/1/runs/nope/`, { cookie })).status, 404);
    t.is((await open(`${server.url}/projects/pub/`, { cookie })).status, 200, "a public project for a token limited to another");
    const other = await open(`${server.url}/projects/nope/`, { cookie });
    t.is(other.status, 404, "a project the token cannot see is not found");
    const workers = await open(`${server.url}/workers/`, { cookie });
    t.is(workers.status, 403);
    t.regex(workers.context?.error ?? "", /admin/);
    const admin = await signIn(server.url, (await newToken(server.url, Scope.ADMIN)).secret);
    t.is((await open(`${server.url}/workers/`, { cookie: admin })).status, 200);

    // URLs that are only pages answer API clients that want JSON alone with 404, as before.
    t.is((await fetch(`${server.url}/`, { headers: { accept: "application/json" } })).status, 404);
  });
}

test("assets: hashed names cached for a year, compressed as the client accepts, the same on every instance, first page within 150 KiB gzipped", async (t) => {
  const a = await startTestServer(t, "sqlite");
  const b = await startTestServer(t, "sqlite");
  const html = (await open(`${a.url}/`)).html;
  const names = [...html.matchAll(/\/assets\/([\w.-]+)/g)].map((m) => m[1]!);
  t.deepEqual(names.map((n) => n.replace(/-\w+\./, "-HASH.")).sort(), ["main-HASH.js", "style-HASH.css"]);
  t.deepEqual([...(await open(`${b.url}/`)).html.matchAll(/\/assets\/([\w.-]+)/g)].map((m) => m[1]!), names, "another instance serves the same names");

  let firstPage = gzipSync(html).length;
  for (const name of names) {
    const plain = await fetch(`${a.url}/assets/${name}`, { headers: { "accept-encoding": "identity" } });
    t.is(plain.status, 200);
    t.is(plain.headers.get("cache-control"), "public, max-age=31536000, immutable");
    t.regex(plain.headers.get("content-type") ?? "", name.endsWith(".js") ? /^text\/javascript/ : /^text\/css/);
    const body = Buffer.from(await plain.arrayBuffer());
    // Node's fetch decodes content-encoding itself: ask through a raw request to see the bytes.
    const gz = await rawGet(`${a.url}/assets/${name}`, "gzip");
    t.is(gz.headers["content-encoding"], "gzip");
    t.deepEqual(gunzipSync(gz.body), body);
    const br = await rawGet(`${a.url}/assets/${name}`, "gzip, deflate, br");
    t.is(br.headers["content-encoding"], "br");
    t.deepEqual(brotliDecompressSync(br.body), body);
    firstPage += gz.body.length;
    const again = await fetch(`${a.url}/assets/${name}`, { headers: { "if-none-match": plain.headers.get("etag") ?? "" } });
    t.is(again.status, 304);
  }
  t.log(`first page: ${(firstPage / 1024).toFixed(1)} KiB gzipped (document, script, style)`);
  t.true(firstPage <= 150 * 1024, `first page is ${firstPage} bytes gzipped`);
  t.is((await fetch(`${a.url}/assets/main-OLDHASH.js`)).status, 404);
});

async function rawGet(url: string, acceptEncoding: string): Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const http = await import("node:http");
  return new Promise((resolve, reject) => {
    http.get(url, { headers: { "accept-encoding": acceptEncoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    }).on("error", reject);
  });
}
