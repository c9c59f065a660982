// Retention: a project's policy (keep the newest N builds) set through the
// API; PruneBuilds with dry_run lists what would go and deletes nothing;
// the job, run by two instances at once, prunes once (the lease), deleting
// the builds with their runs, logs, tests, artifact rows and stored files,
// and keeps promoted and newer builds. On both stores.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import test from "ava";
import { BuildService } from "../../../gen/jobserv/v1/build_pb.js";
import { ProjectService } from "../../../gen/jobserv/v1/project_pb.js";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { LocalArtifactStorage } from "../../../server/artifacts/local-storage.js";
import { createLogger } from "../../../server/logger.js";
import { RetentionJob } from "../../../server/retention/retention-job.js";
import { openStore } from "../../../server/store/db.js";
import { apiClient } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { holdRun } from "../../support/held-run.js";
import { startTestServer } from "../../support/server.js";

for (const dialect of dialects) {
  test(`${dialect}: retention keeps the newest builds and promoted ones, dry run first, one instance prunes`, async (t) => {
    const artifactsDir = mkdtempSync(path.join(os.tmpdir(), "jobserv-retention-"));
    t.teardown(() => rmSync(artifactsDir, { recursive: true, force: true }));
    const server = await startTestServer(t, dialect, { artifactsDir });
    const held = await holdRun(t, server.url, "keep");
    await held.append(0, "a log that goes with its build\n");
    const up = held.upload(server.url, "out/report.txt");
    t.is((await fetch(up.url, { method: "PUT", headers: up.headers, body: "report" })).status, 200);
    await held.finish(Status.PASSED);
    const builds = apiClient(BuildService, server.url);
    const projects = apiClient(ProjectService, server.url);
    for (let i = 0; i < 4; i++) {
      await builds.createExternalBuild({ project: "keep", triggerName: "ext", runs: [{ name: "x", artifactLinks: [{ name: "a", url: "https://ci.example.com/a", sizeBytes: 1n }] }] });
    }
    await builds.promoteBuild({ project: "keep", number: 2, name: "v1" });
    const stored = path.join(artifactsDir, "keep", "1", "r", "out", "report.txt");
    t.true(existsSync(stored));
    const { project } = await projects.updateProject({ name: "keep", retention: { keepBuilds: 2 } });
    t.is(project!.retention?.keepBuilds, 2);

    const dry = await projects.pruneBuilds({ project: "keep", dryRun: true });
    t.deepEqual(dry.builds.map((b) => b.number), [1, 3], "not the promoted build 2, not the newest two (4, 5)");
    t.is(dry.builds[0]!.artifactBytes, 6n);
    t.is((await builds.getBuild({ project: "keep", number: 1 })).build!.number, 1, "a dry run deletes nothing");
    t.true(existsSync(stored));

    // Two instances' jobs at once: exactly one holds the lease and prunes.
    const store = await openStore(server.databaseUrl);
    t.teardown(() => store.close());
    const log = createLogger("silent");
    const job = () => new RetentionJob({ store, storage: new LocalArtifactStorage(artifactsDir), now: Date.now }, { intervalMs: 3_600_000, log });
    const counts = await Promise.all([job().tick(), job().tick()]);
    t.deepEqual(counts.sort(), [0, 2]);

    const numbers = (await builds.listBuilds({ project: "keep" })).builds.map((b) => b.number);
    t.deepEqual(numbers, [5, 4, 2]);
    t.false(existsSync(stored), "the pruned build's files are gone from storage");
    t.is((await store.db.selectFrom("log_chunks").select("run_id").execute()).length, 0, "its log chunks too");
    t.is((await store.db.selectFrom("runs").select("id").execute()).length, 3);
    t.deepEqual((await projects.pruneBuilds({ dryRun: true })).builds, [], "nothing more to prune");
  });
}
