// Build-complete notifications: an email received by a real SMTP server on
// loopback (smtp-server), and signed webhooks received by a local HTTP
// server (signature verified, a failed delivery retried); only_failures
// respected. On both store dialects.
import { createHmac } from "node:crypto";
import type { AddressInfo } from "node:net";
import test from "ava";
import { SMTPServer } from "smtp-server";
import { BuildService } from "../../../gen/jobserv/v1/build_pb.js";
import { ProjectService } from "../../../gen/jobserv/v1/project_pb.js";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { eventually, apiClient } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { startFakeForge } from "../../support/fake-forge.js";
import { startMiniWorker } from "../../support/mini-worker.js";
import { startTestServer } from "../../support/server.js";

interface Mail { from: string; to: string[]; subject: string; text: string }

async function startSmtp(t: import("ava").ExecutionContext): Promise<{ url: string; mails: Mail[] }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ["STARTTLS"], logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString();
        const split = raw.indexOf("\r\n\r\n");
        const head = raw.slice(0, split);
        // nodemailer sends long text lines quoted-printable: undo soft breaks and =XX escapes.
        const qp = /content-transfer-encoding:\s*quoted-printable/i.test(head);
        const rawText = raw.slice(split + 4);
        const text = qp ? rawText.replace(/=\r\n/g, "").replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))) : rawText;
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          subject: /^Subject: (.*)$/m.exec(head)?.[1] ?? "",
          text,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`, mails };
}

const yaml = (hooks: string) => `
timeout: 1
triggers:
  - name: ci
    type: simple
    email:
      users: dev@example.com, lead@example.com
    webhooks:
      - url: ${hooks}/all
        secret_name: hook-secret
      - url: ${hooks}/failures
        secret_name: hook-secret
        only_failures: true
    runs:
      - name: r
        container: img
        host-tag: n
        script: s
scripts:
  s: "#!/bin/sh\\ntrue\\n"
`;

for (const dialect of dialects) {
  test(`${dialect}: build-complete email and signed webhooks, only_failures`, async (t) => {
    const smtp = await startSmtp(t);
    let failOnce = true;
    const hooks = await startFakeForge(t, (r) => {
      if (r.path === "/all" && failOnce) { failOnce = false; return { status: 503 }; }
      return { status: 200 };
    });
    const server = await startTestServer(t, dialect, { smtpUrl: smtp.url, mailFrom: "ci@example.com", forgeRetryMs: 20 });
    const projects = apiClient(ProjectService, server.url);
    await projects.createProject({ name: "notified", definitionYaml: yaml(hooks.url) });
    await projects.setTriggerSecrets({ project: "notified", triggerName: "ci", secrets: { "hook-secret": "sig-key" } });
    let outcome = Status.PASSED;
    void startMiniWorker(t, server.url, "w", ["n"], 1, (a, client) => {
      void (async () => {
        await client.updateRun({ runId: a.definition!.runId, runToken: a.runToken, status: Status.RUNNING });
        await client.updateRun({ runId: a.definition!.runId, runToken: a.runToken, status: outcome, message: "done" });
      })().catch(() => {});
    });
    const builds = apiClient(BuildService, server.url);

    await builds.triggerBuild({ project: "notified", triggerName: "ci" });
    const all = () => hooks.requests.filter((r) => r.path === "/all");
    await eventually(async () => (all().length === 2 && smtp.mails.length === 1 ? true : undefined), 15_000, "webhook (retried once) and email of build 1");
    const hook = all()[1]!;
    t.is(hook.method, "POST");
    t.is(hook.headers["content-type"], "application/json");
    t.is(hook.headers["x-jobserv-sig"], `sha256:${createHmac("sha256", "sig-key").update(hook.body).digest("hex")}`, "signature verifies");
    const body = JSON.parse(hook.body) as Record<string, unknown>;
    t.like(body, { project: "notified", build_id: 1, status: "PASSED", trigger_name: "ci", url: `${server.url}/projects/notified/builds/1/` });
    t.deepEqual((body["runs"] as { name: string; status: string }[]).map((r) => [r.name, r.status]), [["r", "PASSED"]]);
    const mail = smtp.mails[0]!;
    t.is(mail.from, "ci@example.com");
    t.deepEqual(mail.to, ["dev@example.com", "lead@example.com"]);
    t.is(mail.subject, "jobserv: notified build #1 : PASSED");
    t.true(mail.text.includes(`${server.url}/projects/notified/builds/1/runs/r/`));

    outcome = Status.FAILED;
    await builds.triggerBuild({ project: "notified", triggerName: "ci" });
    const failures = () => hooks.requests.filter((r) => r.path === "/failures");
    await eventually(async () => (failures().length === 1 && all().length === 3 && smtp.mails.length === 2 ? true : undefined), 15_000, "notifications of build 2");
    t.like(JSON.parse(failures()[0]!.body), { build_id: 2, status: "FAILED" }, "only_failures: build 1 (passed) was not sent there");
    t.is(smtp.mails[1]?.subject, "jobserv: notified build #2 : FAILED");
  });
}
