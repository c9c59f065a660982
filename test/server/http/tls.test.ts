// TLS served directly from PEM files (a throwaway CA-less self-signed
// certificate made with openssl): on the one port ALPN picks h2 for gRPC and
// HTTP/2 clients and http/1.1 for REST and Connect; plain HTTP is refused; a
// real worker process trusting the certificate through NODE_EXTRA_CA_CERTS
// runs a build over TLS (Connect on HTTP/1.1 and gRPC on HTTP/2); unreadable
// files stop the start with a message naming the file.
import http2 from "node:http2";
import https from "node:https";
import os from "node:os";
import type { TLSSocket } from "node:tls";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import test, { type ExecutionContext } from "ava";
import { BuildService } from "../../../gen/jobserv/v1/build_pb.js";
import { ProjectService } from "../../../gen/jobserv/v1/project_pb.js";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { loadServerConfig } from "../../../server/config.js";
import { StartupError } from "../../../server/errors.js";
import { startServer } from "../../../server/main.js";
import { adminHeaders, TEST_ADMIN_TOKEN } from "../../support/auth.js";
import { eventually } from "../../support/clients.js";
import { freshDatabaseUrl } from "../../support/db.js";
import { PASS_FAIL_YAML } from "../../support/projects.js";
import { startTestServer } from "../../support/server.js";
import { selfSignedCertificate } from "../../support/tls-cert.js";
import { spawnWorker } from "../../support/worker-process.js";

const bearer = (next: (req: { header: Headers }) => unknown) => (req: { header: Headers }) => { req.header.set("authorization", `Bearer ${TEST_ADMIN_TOKEN}`); return next(req); };

test("one TLS port: ALPN h2 for gRPC, http/1.1 for REST and Connect; plain HTTP refused", async (t) => {
  const { certFile, keyFile, ca } = selfSignedCertificate(t);
  const server = await startTestServer(t, "sqlite", { tlsCertFile: certFile, tlsKeyFile: keyFile });
  t.true(server.url.startsWith("https://127.0.0.1:"));

  const h1 = await new Promise<{ status: number; alpn: string | false | null; body: string }>((resolve, reject) => {
    https.get(`${server.url}/healthz`, { ca, ALPNProtocols: ["http/1.1"] } as https.RequestOptions, (res) => {
      const alpn = (res.socket as TLSSocket).alpnProtocol;
      let body = "";
      res.on("data", (d: Buffer) => { body += d.toString(); });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, alpn, body }));
    }).on("error", reject);
  });
  t.deepEqual(h1, { status: 200, alpn: "http/1.1", body: '{"status":"ok"}' });

  const session = http2.connect(server.url, { ca });
  t.teardown(() => session.close());
  await new Promise<void>((resolve, reject) => session.once("connect", () => resolve()).once("error", reject));
  t.is(session.alpnProtocol, "h2");

  const grpc = createClient(ProjectService, createGrpcTransport({ baseUrl: server.url, nodeOptions: { ca }, interceptors: [bearer as never] }));
  await grpc.createProject({ name: "tls", definitionYaml: PASS_FAIL_YAML });
  const connect = createClient(ProjectService, createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", nodeOptions: { ca }, interceptors: [bearer as never] }));
  t.deepEqual((await connect.listProjects({})).projects.map((p) => p.name), ["tls"]);

  await t.throwsAsync(fetch(`${server.url.replace("https:", "http:")}/healthz`, { headers: adminHeaders }), undefined, "plain HTTP gets no answer");
});

test("workers reach a TLS server over Connect (HTTP/1.1) and gRPC (HTTP/2) trusting its certificate", async (t) => {
  const { certFile, keyFile, ca } = selfSignedCertificate(t);
  const server = await startTestServer(t, "sqlite", { tlsCertFile: certFile, tlsKeyFile: keyFile });
  const builds = createClient(BuildService, createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", nodeOptions: { ca }, interceptors: [bearer as never] }));
  const projects = createClient(ProjectService, createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", nodeOptions: { ca }, interceptors: [bearer as never] }));
  await projects.createProject({ name: "tls", definitionYaml: PASS_FAIL_YAML });
  for (const protocol of ["connect", "grpc"] as const) {
    const worker = spawnWorker(t, { url: server.url, name: `tls-${protocol}`, tags: ["test-amd64"], protocol, env: { NODE_EXTRA_CA_CERTS: certFile } });
    const { build } = await builds.triggerBuild({ project: "tls", triggerName: "ci", params: {} });
    const done = await eventually(async () => {
      const b = (await builds.getBuild({ project: "tls", number: build!.number })).build!;
      return b.status === Status.FAILED || b.status === Status.PASSED ? b : undefined;
    }, 60_000, () => `build over ${protocol} to complete: ${worker.output()}`);
    t.deepEqual(done.runs.map((r) => [r.name, r.status]), [["good", Status.PASSED], ["bad", Status.FAILED]], protocol);
    await worker.stop();
  }
});

test("an unreadable certificate stops the start with a message naming the file", async (t) => {
  const { keyFile } = selfSignedCertificate(t);
  const error = await t.throwsAsync(startServer(loadServerConfig({}, {
    databaseUrl: await freshDatabaseUrl(t, "sqlite"), port: 0, logLevel: "silent", tlsCertFile: "/nonexistent/cert.pem", tlsKeyFile: keyFile,
    artifactsDir: os.tmpdir(), secretsKey: Buffer.alloc(32, 1).toString("base64"),
  })), { instanceOf: StartupError });
  t.is(error?.message, "TLS certificate /nonexistent/cert.pem: ENOENT");
});
