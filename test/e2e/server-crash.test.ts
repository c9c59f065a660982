// Continuity: the server is SIGKILLed twice and restarted while a run streams
// 10 000 numbered lines; the worker reconnects, resends from the committed
// offset, and the stored console.log is byte-identical to the container's
// output. On both store dialects.
import test from "ava";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { RunService } from "../../gen/jobserv/v1/run_pb.js";
import { applyProject, readLog, trigger, waitForBuild } from "../support/builds.js";
import { apiClient, eventually } from "../support/clients.js";
import { dialects, freshDatabaseUrl } from "../support/db.js";
import { countingProject, splitStanza } from "../support/projects.js";
import { ServerProcess } from "../support/server-process.js";
import { spawnWorker } from "../support/worker-process.js";

const { yaml, expected } = countingProject({ tag: "crash", lines: 10_000, text: "of the run that outlives its server", pause: { every: 400, seconds: 0.1 } });

for (const dialect of dialects) {
  test(`${dialect}: SIGKILLed server mid-run, console.log still byte-identical`, async (t) => {
    const server = await ServerProcess.start(t, await freshDatabaseUrl(t, dialect));
    const worker = spawnWorker(t, { url: server.url, name: `crash-${dialect}`, tags: ["crash"], protocol: "connect" });
    await applyProject(server.url, "crash", yaml);
    const n = await trigger(server.url, "crash", "t");
    const runs = apiClient(RunService, server.url);
    for (const atLeast of [1_000, 60_000]) {
      // Wait until the log is well under way, then pull the plug.
      await eventually(async () => {
        const run = (await runs.getRun({ ref: { project: "crash", buildNumber: n, run: "count" } })).run;
        return run && Number(run.logSize) >= atLeast ? true : undefined;
      }, 60_000, () => `log to reach ${atLeast} bytes. worker: ${worker.output()} server: ${server.output()}`);
      await server.kill();
      await new Promise((r) => setTimeout(r, 300));
      await server.start();
    }
    const build = await waitForBuild(server.url, "crash", n, () => `worker: ${worker.output()}`, 90_000);
    t.is(build.runs[0]?.status, Status.PASSED, build.runs[0]?.statusMessage);
    const { output } = splitStanza(await readLog(server.url, "crash", n, "count"));
    t.is(output.length, expected.length);
    t.true(output === expected, "console.log is byte-identical to the container output");
  });
}
