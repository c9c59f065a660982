// The worker's run controls through a real server, a real worker process and
// real containers: a memory limit with a run that allocates past it (FAILED,
// saying the OOM killer ended it), the pull policy with the image digest in
// the log and on the run (and a pull that fails with the registry's
// message), and the run's .netrc (the run token for the server's host, the
// trigger's forge token), masked in the log. On both dialects.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import test, { type ExecutionContext } from "ava";
import { RunService } from "../../gen/jobserv/v1/run_pb.js";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { openStore } from "../../server/store/db.js";
import { applyProject, readLog, trigger, waitForBuild } from "../support/builds.js";
import { apiClient } from "../support/clients.js";
import { dialects, type Dialect } from "../support/db.js";
import { splitStanza, TEST_IMAGE } from "../support/projects.js";
import { startTestServer } from "../support/server.js";
import { spawnWorker } from "../support/worker-process.js";

async function setup(t: ExecutionContext, dialect: Dialect, env: Record<string, string> = {}) {
  const server = await startTestServer(t, dialect);
  const dir = mkdtempSync(path.join(os.tmpdir(), "jobserv-limits-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const worker = spawnWorker(t, { url: server.url, name: `lim-${dialect}-${t.title.length}`, tags: ["limits"], protocol: "connect", env: { JOBSERV_WORKER_DIR: dir, ...env } });
  return { server, worker };
}

const oneRun = (script: string, container = TEST_IMAGE) => `
timeout: 2
triggers:
  - name: t
    type: simple
    runs:
      - name: r
        container: ${container}
        host-tag: limits
        script: s
scripts:
  s: |
    #!/bin/sh
${script.split("\n").map((l) => `    ${l}`).join("\n")}
`;

for (const dialect of dialects) {
  test(`${dialect}: a run allocating past the worker's memory limit ends FAILED, killed by the OOM killer`, async (t) => {
    const { server, worker } = await setup(t, dialect, { JOBSERV_WORKER_MAX_MEM_BYTES: String(64 * 2 ** 20) });
    await applyProject(server.url, "oom", oneRun("echo allocating\nhead -c 200m /dev/zero | tail\necho survived"));
    const n = await trigger(server.url, "oom", "t");
    const build = await waitForBuild(server.url, "oom", n, worker.output);
    t.is(build.runs[0]!.status, Status.FAILED);
    t.is(build.runs[0]!.statusMessage, "killed by the OOM killer: out of memory (limit 64 MiB)");
    const { output } = splitStanza(await readLog(server.url, "oom", n, "r"));
    t.true(output.startsWith("allocating\n"), output);
    t.true(output.endsWith("\n== killed by the OOM killer: out of memory (limit 64 MiB)\n"), output);
  });

  test(`${dialect}: the image digest is printed and recorded; a pull that fails says why`, async (t) => {
    const { server, worker } = await setup(t, dialect);
    await applyProject(server.url, "img", oneRun("echo hi"));
    const n = await trigger(server.url, "img", "t");
    const build = await waitForBuild(server.url, "img", n, worker.output);
    t.is(build.runs[0]!.status, Status.PASSED);
    const digest = build.runs[0]!.imageDigest;
    t.regex(digest, /^(sha256:[0-9a-f]{64}|.+@sha256:[0-9a-f]{64})$/);
    t.true((await readLog(server.url, "img", n, "r")).includes(`== image ${TEST_IMAGE}: ${digest}\n`));

    // Pull policy "always" pulls each time: here no registry answers, and the run says so.
    const always = await setup(t, dialect, { JOBSERV_WORKER_PULL_POLICY: "always" });
    await applyProject(always.server.url, "img", oneRun("echo hi"));
    const m = await trigger(always.server.url, "img", "t");
    const failed = await waitForBuild(always.server.url, "img", m, always.worker.output);
    t.is(failed.runs[0]!.status, Status.FAILED);
    t.regex(failed.runs[0]!.statusMessage, new RegExp(`^runner error: unable to pull image ${TEST_IMAGE}: .+`));
  });

  test(`${dialect}: .netrc carries the run token for the server's host and the trigger's forge token, masked`, async (t) => {
    const { server, worker } = await setup(t, dialect);
    const host = new URL(server.url).hostname;
    await applyProject(server.url, "net", oneRun([
      `grep -c "^machine ${host} login jobserv password " /root/.netrc`,
      `grep "^machine ${host} " /root/.netrc | cut -d' ' -f6 | tr -d '\\n' | sha256sum | cut -d' ' -f1`,
      "grep '^machine github.com ' /root/.netrc",
      "cat /root/.curlrc",
    ].join("\n")), { trigger: "t", values: { githubtok: "ghp_secret_value" } });
    const n = await trigger(server.url, "net", "t");
    const build = await waitForBuild(server.url, "net", n, worker.output);
    t.is(build.runs[0]!.status, Status.PASSED, worker.output());
    const lines = splitStanza(await readLog(server.url, "net", n, "r")).output.split("\n");
    t.is(lines[0], "1");
    const store = await openStore(server.databaseUrl);
    t.teardown(() => store.close());
    const row = await store.db.selectFrom("runs").select("token_hash").where("name", "=", "r").executeTakeFirstOrThrow();
    t.is(lines[1], row.token_hash ?? "(no token)", "the password is the run's own token");
    t.is(lines[2], "machine github.com login x-access-token password ***");
    t.is(lines[3], "netrc-file = /root/.netrc");
    const run = (await apiClient(RunService, server.url).getRun({ ref: { project: "net", buildNumber: n, run: "r" } })).run!;
    t.is(run.status, Status.PASSED);
  });
}
