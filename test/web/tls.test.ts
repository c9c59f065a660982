// The pages over TLS (the server's own PEM files) in a real browser: the
// browser speaks HTTP/2 to the one port (ALPN), so its streams share one
// connection; signing in gives a cookie marked Secure (and HttpOnly,
// SameSite=Lax); a private run's log lines arrive live over the HTTP/2
// stream, printed by a real worker's container through TLS as well.
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import test from "ava";
import { BuildService } from "../../gen/jobserv/v1/build_pb.js";
import { ProjectService } from "../../gen/jobserv/v1/project_pb.js";
import { Scope, TokenService } from "../../gen/jobserv/v1/token_pb.js";
import { TEST_ADMIN_TOKEN } from "../support/auth.js";
import { signInWithForm, startBrowser, texts } from "../support/browser.js";
import { oneRunProject } from "../support/projects.js";
import { startTestServer } from "../support/server.js";
import { selfSignedCertificate } from "../support/tls-cert.js";
import { spawnWorker } from "../support/worker-process.js";

const YAML = oneRunProject({ tag: "test-*", run: "slow", timeout: 1, script: 'sleep 2\nfor i in 1 2 3; do echo "over tls $i"; sleep 0.3; done' });

test("over TLS: HTTP/2 from the browser, a Secure session cookie, live log lines of a private run", async (t) => {
  const { certFile, keyFile, ca } = selfSignedCertificate(t);
  const server = await startTestServer(t, "sqlite", { tlsCertFile: certFile, tlsKeyFile: keyFile });
  const transport = createConnectTransport({
    baseUrl: server.url, httpVersion: "1.1", nodeOptions: { ca },
    interceptors: [(next) => (req) => { req.header.set("authorization", `Bearer ${TEST_ADMIN_TOKEN}`); return next(req); }],
  });
  await createClient(ProjectService, transport).createProject({ name: "secure", definitionYaml: YAML });
  const { secret } = await createClient(TokenService, transport).createToken({ name: "reader", scope: Scope.READ });
  spawnWorker(t, { url: server.url, name: "web-tls", tags: ["test-amd64"], protocol: "connect", env: { NODE_EXTRA_CA_CERTS: certFile } });

  const b = await startBrowser(t, ["--ignore-certificate-errors"]);
  const page = await b.page();
  await createClient(BuildService, transport).triggerBuild({ project: "secure", triggerName: "t" });
  const runPage = `${server.url}/projects/secure/builds/1/runs/slow/`;
  await page.goto(runPage);
  await signInWithForm(page, secret);
  t.is(page.url(), runPage);

  const cookie = (await page.cookies()).find((c) => c.name === "jobserv_session");
  t.like(cookie, { secure: true, httpOnly: true, sameSite: "Lax", path: "/" });
  await page.waitForFunction(() => [...document.querySelectorAll(".log-line .lt")].some((e) => e.textContent === "over tls 3"), { timeout: 60_000 });
  // Calls show in resource timing once they end: the log's stream ends with the run, then its tests are read.
  await page.waitForSelector('.log-panel[data-state="complete"]');
  await page.waitForFunction(() => performance.getEntriesByType("resource").some((e) => e.name.endsWith("/ListTests")));
  const protocols = await page.evaluate(() => performance.getEntriesByType("resource")
    .filter((e) => e.name.includes("/jobserv.v1.")).map((e) => (e as PerformanceResourceTiming).nextHopProtocol));
  t.true(protocols.length >= 2 && protocols.every((p) => p === "h2"), `the page's calls went over HTTP/2: ${protocols.join(", ")}`);
  t.deepEqual(await texts(page, "header .who"), ["reader read"]);
  await b.shot(page, "run-over-tls");
  b.noErrors();
});
