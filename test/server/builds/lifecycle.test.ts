// The run lifecycle on a real store (both dialects), driven directly: every
// transition publishes exactly one event per status-event row it records,
// after commit, and each event carries its row's id and everything listeners
// need (names, ids, status, worker, message, time, trigger type). Also: a
// lost run's note is in its log before its event; a promote of a build that
// is not PASSED is refused.
import test from "ava";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { Lifecycle } from "../../../server/builds/lifecycle.js";
import type { LifecycleEvent } from "../../../server/builds/lifecycle-events.js";
import { triggerBuild } from "../../../server/builds/trigger.js";
import { FailedPreconditionError } from "../../../server/errors.js";
import { createLogger } from "../../../server/logger.js";
import { SecretCipher } from "../../../server/secrets/cipher.js";
import type { Store } from "../../../server/store/db.js";
import { insertProject } from "../../../server/store/projects.js";
import { findRunById } from "../../../server/store/runs.js";
import { dialects, openTestStore } from "../../support/db.js";
import { loopRunsYaml } from "../../support/projects.js";

const RUNS = 30;
const yaml = (runs: number) =>
  loopRunsYaml(Array.from({ length: runs }, (_, i) => i), { trigger: "ci", type: "git_poller", hostTag: "lc", params: { GIT_URL: "http://127.0.0.1:9/none.git" } });

function harness(store: Store) {
  const published: LifecycleEvent[] = [];
  const journal: string[] = [];
  const lifecycle = new Lifecycle({
    store, now: Date.now, log: createLogger("silent"), publicUrl: () => "http://jobserv.test",
    notes: { note: async (runId, text) => { journal.push(`note ${runId}: ${text.trim()}`); } },
  });
  lifecycle.subscribe({ onLifecycleEvent: (e) => { published.push(e); if (e.kind === "run" && e.status === Status.FAILED) journal.push(`event ${e.runId}`); } });
  const trigger = { store, cipher: new SecretCipher(Buffer.alloc(32, 1)), lifecycle, publicUrl: "http://jobserv.test", now: Date.now };
  return { lifecycle, published, journal, trigger };
}

for (const dialect of dialects) {
  test(`${dialect}: one event per status-event row, carrying the row's id, names and trigger type`, async (t) => {
    const store = await openTestStore(t, dialect);
    const project = await insertProject(store.db, "lc", yaml(RUNS), Date.now());
    const { lifecycle, published, journal, trigger } = harness(store);
    const started = Date.now();

    const { buildId, number } = await triggerBuild(trigger, { project: "lc", triggerName: "ci", params: {}, reason: "test" });
    t.deepEqual(published.map((e) => [e.kind, e.status]), [["build", Status.QUEUED], ...Array.from({ length: RUNS }, () => ["run", Status.QUEUED])]);

    // Claimed: nothing published until the runs reach their worker; then RUNNING (one multi-row insert of events).
    const claimed = await lifecycle.claim("w1", ["lc"], RUNS);
    t.is(claimed.length, RUNS);
    t.is(published.length, RUNS + 1, "a claim alone publishes nothing");
    await lifecycle.assigned("w1", claimed.slice(0, 20));
    await lifecycle.undelivered(claimed[20]!, "w1");
    const assigned = published.filter((e) => e.kind === "run" && e.status === Status.RUNNING);
    t.is(assigned.length, 20);
    t.true(assigned.every((e) => e.kind === "run" && e.queuedAt !== undefined && e.worker === "w1"), "assignments say when the run was queued");
    t.like(published.find((e) => e.kind === "run" && e.status === Status.QUEUED && e.message.includes("not delivered")), { worker: "w1" });

    const run = (i: number) => findRunById(store.db, claimed[i]!.id).then((r) => r!);
    await lifecycle.workerReport(await run(0), Status.UPLOADING, "");
    await lifecycle.workerReport(await run(0), Status.PASSED, "exit code 0");
    await lifecycle.workerReport(await run(1), Status.RUNNING, ""); // acknowledges: no status change, no event
    await lifecycle.cancelRun(claimed[1]!.id);
    await lifecycle.workerReport(await run(1), Status.FAILED, "cancelled");
    await lifecycle.cancelRun(claimed[20]!.id); // QUEUED again: FAILED at once
    t.true(await lifecycle.leaseLost({ id: claimed[2]!.id, buildId, worker: "w1" }, "worker w1 lost"));
    t.false(await lifecycle.leaseLost({ id: claimed[2]!.id, buildId, worker: "w1" }, "worker w1 lost"), "a compare-and-set: once");
    t.true(await lifecycle.requeueUnacknowledged({ id: claimed[3]!.id, buildId, worker: "w1" }, "never acknowledged"));
    await t.throwsAsync(lifecycle.promote(buildId, "v1", ""), { instanceOf: FailedPreconditionError, message: /only a PASSED build/ });
    t.deepEqual(journal.filter((j) => j.includes(` ${claimed[2]!.id}`)), [`note ${claimed[2]!.id}: == worker w1 lost: run FAILED`, `event ${claimed[2]!.id}`], "the note is in the log before the event");

    // Every event is its row: same id, subject and status; every row has its one event.
    const runRows = await store.db.selectFrom("run_events").selectAll().orderBy("id").execute();
    const buildRows = await store.db.selectFrom("build_events").selectAll().orderBy("id").execute();
    const runEvents = published.filter((e) => e.kind === "run");
    const buildEvents = published.filter((e) => e.kind === "build");
    t.deepEqual(runEvents.map((e) => e.eventId).sort((a, b) => a - b), runRows.map((r) => r.id), "run events and run_events rows match one to one");
    t.deepEqual(buildEvents.map((e) => e.eventId).sort((a, b) => a - b), buildRows.map((r) => r.id), "build events and build_events rows match one to one");
    for (const e of runEvents) {
      const row = runRows.find((r) => r.id === e.eventId)!;
      t.deepEqual([row.run_id, row.status, row.worker_name, row.message, Number(row.time)], [e.runId, e.status, e.worker, e.message, e.time], `run event ${e.eventId}`);
    }
    for (const e of buildEvents) {
      const row = buildRows.find((r) => r.id === e.eventId)!;
      t.deepEqual([row.build_id, row.status, Number(row.time)], [e.buildId, e.status, e.time], `build event ${e.eventId}`);
    }
    const names = new Map((await store.db.selectFrom("runs").select(["id", "name"]).execute()).map((r) => [r.id, r.name]));
    for (const e of published) {
      t.like(e, { buildId, buildNumber: number, projectId: project.id, project: "lc", triggerType: "git_poller" });
      if (e.kind === "run") t.is(e.run, names.get(e.runId)!);
      t.true(e.time >= started && e.time <= Date.now());
    }
    // JobServ's cumulative rule: QUEUED and PASSED runs together make RUNNING, whatever failed.
    t.deepEqual(buildEvents.map((e) => e.status), [Status.QUEUED, Status.RUNNING, Status.RUNNING_WITH_FAILURES, Status.RUNNING]);
  });

  test(`${dialect}: a PASSED build is promoted once, with one event`, async (t) => {
    const store = await openTestStore(t, dialect);
    await insertProject(store.db, "lc", yaml(1), Date.now());
    const { lifecycle, published, trigger } = harness(store);
    const { buildId } = await triggerBuild(trigger, { project: "lc", triggerName: "ci", params: {}, reason: "" });
    const [only] = await lifecycle.claim("w", ["lc"], 1);
    await lifecycle.assigned("w", [only!]);
    await lifecycle.workerReport((await findRunById(store.db, only!.id))!, Status.PASSED, "");
    t.is(published.at(-1)?.status, Status.PASSED);
    await lifecycle.promote(buildId, "v1", "first");
    t.like(published.at(-1), { kind: "build", buildId, status: Status.PROMOTED });
    await t.throwsAsync(lifecycle.promote(buildId, "v2", ""), { instanceOf: FailedPreconditionError, message: /is PROMOTED/ });
    t.is(published.filter((e) => e.status === Status.PROMOTED).length, 1);
  });
}
