// The status-event tail on a real store: it hands on each event row committed
// after it started exactly once, with the names listeners need, and none from
// before. On MariaDB, auto-increment ids become visible in commit order, not
// id order: a row whose transaction commits after a higher id was read (also
// one pending when the tail started) is still delivered, and an id a
// rolled-back transaction took is given up after `holeMs`.
import test from "ava";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { EventTail, TAIL_DEFAULTS } from "../../../server/builds/event-tail.js";
import type { LifecycleEvent } from "../../../server/builds/lifecycle-events.js";
import { triggerBuild } from "../../../server/builds/trigger.js";
import { createLogger } from "../../../server/logger.js";
import type { Store } from "../../../server/store/db.js";
import { insertProject } from "../../../server/store/projects.js";
import { eventually } from "../../support/clients.js";
import { dialects, openTestStore } from "../../support/db.js";
import { PASS_FAIL_YAML } from "../../support/projects.js";
import { triggerDeps } from "../../support/trigger.js";

async function setUp(store: Store): Promise<{ runId: number; buildId: number }> {
  await insertProject(store.db, "p", PASS_FAIL_YAML, Date.now());
  const { buildId } = await triggerBuild(triggerDeps(store), { project: "p", triggerName: "ci", params: {}, reason: "" });
  const run = await store.db.selectFrom("runs").select("id").where("build_id", "=", buildId).orderBy("id").executeTakeFirstOrThrow();
  return { runId: run.id, buildId };
}

function startTail(t: { teardown(fn: () => Promise<void>): void }, store: Store, holeMs = TAIL_DEFAULTS.holeMs) {
  const got: LifecycleEvent[] = [];
  const tail = new EventTail(store, (events) => got.push(...events), { ...TAIL_DEFAULTS, holeMs, pollMs: 20, log: createLogger("silent") });
  t.teardown(() => tail.stop());
  return { got, tail, ids: (kind: "run" | "build") => got.filter((e) => e.kind === kind).map((e) => e.eventId) };
}

/** Inserts an event row in a transaction left open: its id is taken, the row invisible until `commit`. */
async function pendingEvent(store: Store, runId: number, message: string): Promise<{ id: number; commit: () => Promise<void> }> {
  let release!: () => void;
  const held = new Promise<void>((r) => { release = r; });
  let inserted!: (id: number) => void;
  const id = new Promise<number>((r) => { inserted = r; });
  const done = store.db.transaction().execute(async (trx) => {
    inserted(Number((await trx.insertInto("run_events").values(event(runId, message)).executeTakeFirstOrThrow()).insertId));
    await held;
  });
  return { id: await id, commit: () => { release(); return done; } };
}

const event = (runId: number, message: string) => ({ run_id: runId, status: Status.RUNNING, worker_name: "w", message, time: Date.now() });

for (const dialect of dialects) {
  test(`${dialect}: events after the start, once each, with their names; none from before`, async (t) => {
    const store = await openTestStore(t, dialect);
    const { runId, buildId } = await setUp(store);
    const { got, tail, ids } = startTail(t, store);
    await tail.start();
    const first = Number((await store.db.insertInto("run_events").values(event(runId, "one")).executeTakeFirstOrThrow()).insertId);
    await store.db.insertInto("build_events").values({ build_id: buildId, status: Status.RUNNING, time: Date.now() }).execute();
    await store.db.insertInto("run_events").values([event(runId, "two"), event(runId, "three")]).execute();
    await eventually(async () => (got.length >= 4 ? true : undefined), 10_000, "four events");
    const runs = got.filter((e) => e.kind === "run");
    t.deepEqual(runs.map((e) => e.kind === "run" && e.message), ["one", "two", "three"], "the QUEUED events of the trigger came before the start");
    t.is(runs[0]!.eventId, first);
    t.like(runs[0], { kind: "run", runId, run: "good", buildId, buildNumber: 1, project: "p", status: Status.RUNNING, worker: "w", triggerType: "simple" });
    t.like(got.find((e) => e.kind === "build"), { buildId, buildNumber: 1, project: "p", status: Status.RUNNING, triggerType: "simple" });
    const before = got.length;
    await store.db.insertInto("run_events").values(event(runId, "four")).execute();
    await eventually(async () => (got.length > before ? true : undefined), 10_000, "the fifth event");
    t.is(new Set(ids("run")).size, ids("run").length, "no event twice");
  });
}

test("mysql: a row committed after a higher id was read is still delivered; so is one pending when the tail started", async (t) => {
  const store = await openTestStore(t, "mysql");
  const { runId } = await setUp(store);
  const { got, tail, ids } = startTail(t, store);

  // Pending before the start: its id is below the newest one the start sees.
  const early = await pendingEvent(store, runId, "early");
  await store.db.insertInto("run_events").values(event(runId, "committed first")).execute();
  await tail.start();

  // Pending while the tail runs: a higher id is committed and read first.
  const late = await pendingEvent(store, runId, "late");
  const after = Number((await store.db.insertInto("run_events").values(event(runId, "after")).executeTakeFirstOrThrow()).insertId);
  t.true(after > late.id && late.id > early.id);
  await eventually(async () => (ids("run").includes(after) ? true : undefined), 10_000, "the higher id");
  t.false(ids("run").includes(late.id), "not visible before its commit");
  await Promise.all([late.commit(), early.commit()]);
  await eventually(async () => (ids("run").includes(late.id) && ids("run").includes(early.id) ? true : undefined), 10_000, "the late commits");
  t.deepEqual(got.map((e) => e.kind === "run" && e.message).sort(), ["after", "early", "late"], "each once; nothing from before the start");
});

test("mysql: an id a rolled-back transaction took is given up after holeMs", async (t) => {
  const store = await openTestStore(t, "mysql");
  const { runId } = await setUp(store);
  const { tail, ids } = startTail(t, store, 300);
  await tail.start();
  await store.db.transaction().execute(async (trx) => {
    await trx.insertInto("run_events").values(event(runId, "rolled back")).execute();
    throw new Error("roll back");
  }).catch(() => {});
  const after = Number((await store.db.insertInto("run_events").values(event(runId, "after")).executeTakeFirstOrThrow()).insertId);
  await eventually(async () => (ids("run").includes(after) ? true : undefined), 10_000, "the event after the hole");
  t.true(tail.holes().runs.includes(after - 1), "the rolled-back id is looked for");
  await eventually(async () => (tail.holes().runs.length === 0 ? true : undefined), 10_000, "the hole to be given up");
  t.deepEqual(ids("run"), [after]);
});
