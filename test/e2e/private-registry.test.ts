// `container-auth` against a real private registry (Debian's docker-registry
// with basic auth, on loopback): the image is not on the worker, so the run
// pulls it with the credentials from the named secret (base64 `user:pass`)
// and passes; wrong credentials fail the run with the registry's refusal in
// its log and status, and the password never appears in the log.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import test, { type ExecutionContext } from "ava";
import { RunService } from "../../gen/jobserv/v1/run_pb.js";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { applyProject, readLog, trigger, waitForBuild } from "../support/builds.js";
import { apiClient } from "../support/clients.js";
import { startPrivateRegistry } from "../support/private-registry.js";
import { splitStanza, TEST_IMAGE } from "../support/projects.js";
import { startTestServer } from "../support/server.js";
import { spawnWorker } from "../support/worker-process.js";

const PASSWORD = "reg-pass-8f3k2";

function tempDir(t: ExecutionContext): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "jobserv-registry-worker-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const project = (image: string) => `
timeout: 2
triggers:
  - name: t
    type: simple
    runs:
      - name: pulled
        container: ${image}
        container-auth: regauth
        host-tag: test-registry
        script: s
scripts:
  s: |
    #!/bin/sh
    echo running in the pulled image
`;

test("container-auth: a private image is pulled with the secret's credentials; wrong ones fail the run", async (t) => {
  const registry = await startPrivateRegistry(t, "ci-user", PASSWORD);
  const image = await registry.push(TEST_IMAGE, `private/busybox-${randomBytes(4).toString("hex")}`, "1");
  const server = await startTestServer(t, "sqlite");
  const worker = spawnWorker(t, { url: server.url, name: "registry-worker", tags: ["test-registry"], protocol: "connect", env: { JOBSERV_WORKER_DIR: tempDir(t) } });
  const auth = (pass: string) => ({ trigger: "t", values: { regauth: Buffer.from(`ci-user:${pass}`).toString("base64") } });

  await applyProject(server.url, "reg", project(image), auth("wrong-password"));
  const refused = await trigger(server.url, "reg", "t");
  t.is((await waitForBuild(server.url, "reg", refused, worker.output)).status, Status.FAILED);
  const refusedLog = await readLog(server.url, "reg", refused, "pulled");
  const { run } = await apiClient(RunService, server.url).getRun({ ref: { project: "reg", buildNumber: refused, run: "pulled" } });
  t.regex(`${run!.statusMessage}\n${refusedLog}`, /unauthorized|authentication required/i, "the registry's refusal is told");
  t.notRegex(refusedLog, /running in the pulled image/);

  await applyProject(server.url, "reg", project(image), auth(PASSWORD));
  const pulled = await trigger(server.url, "reg", "t");
  t.is((await waitForBuild(server.url, "reg", pulled, worker.output)).status, Status.PASSED);
  const log = await readLog(server.url, "reg", pulled, "pulled");
  t.is(splitStanza(log).output, "running in the pulled image\n");
  for (const text of [log, refusedLog]) t.false(text.includes(PASSWORD) || text.includes("wrong-password"), "no password in the log");
});
