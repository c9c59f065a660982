// A trigger claims its new runs for idle workers connected to its instance in
// its own transaction (one commit, then the push), within each worker's free
// slots and in queue order (an older queued run of the same pattern goes
// first); runs of a synchronous project are left to the dispatcher. The real
// dispatcher and lifecycle on a real store, on both dialects.
import test, { type ExecutionContext } from "ava";
import { randomBytes } from "node:crypto";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { tokenMatches } from "../../../server/auth/tokens.js";
import { triggerBuild } from "../../../server/builds/trigger.js";
import { createLogger } from "../../../server/logger.js";
import { Dispatcher } from "../../../server/scheduler/dispatcher.js";
import { SecretCipher } from "../../../server/secrets/cipher.js";
import type { Store } from "../../../server/store/db.js";
import { insertProject } from "../../../server/store/projects.js";
import { dialects, openTestStore, type Dialect } from "../../support/db.js";
import { loopRunsYaml } from "../../support/projects.js";
import { triggerDeps } from "../../support/trigger.js";

async function setUp(t: ExecutionContext, dialect: Dialect, yaml: string, concurrency: number, synchronous = false) {
  const store = await openTestStore(t, dialect);
  await insertProject(store.db, "p", yaml, Date.now(), false, synchronous);
  const deps = triggerDeps(store);
  const dispatcher = new Dispatcher(store, deps.lifecycle, new SecretCipher(randomBytes(32)), Date.now, { pollMs: 60_000, log: createLogger("silent") });
  t.teardown(() => dispatcher.stop());
  deps.lifecycle.subscribe(dispatcher); // as main.ts does: QUEUED wakes it
  const session = dispatcher.workers.add({ name: "w", tags: ["lab"], concurrency });
  session.reconciled = true;
  const hold = () => { session.reconciled = false; return () => { session.reconciled = true; }; };
  const got: string[] = [];
  // As a Pull stream takes them (pull-sessions.ts): each message as it is pushed.
  session.queue.deliverTo((m) => { if (m.action.case === "assignment") got.push(m.action.value.definition!.runName); }, () => {});
  const trigger = () => triggerBuild(deps, { project: "p", triggerName: "ci", params: {}, reason: "" });
  return { store, deps, dispatcher, got, trigger, hold };
}

const runsOf = (store: Store, status: Status) =>
  store.db.selectFrom("runs").innerJoin("builds", "builds.id", "runs.build_id")
    .select(["builds.number", "runs.name", "runs.worker_name"]).where("runs.status", "=", status).orderBy("runs.id").execute();

const settle = () => new Promise((r) => setTimeout(r, 300));

for (const dialect of dialects) {
  test(`${dialect}: the trigger's own commit claims runs for an idle worker, up to its free slots`, async (t) => {
    const { store, deps, dispatcher, got, trigger } = await setUp(t, dialect, loopRunsYaml([1, 2, 3], { trigger: "ci", hostTag: "lab" }), 2);
    deps.lifecycle.placeNewRunsWith(dispatcher); // as main.ts wires it
    await trigger();
    // Before any dispatch pass could have claimed (that waits for the next event-loop turn at least).
    const running = await runsOf(store, Status.RUNNING);
    t.deepEqual(running.map((r) => [r.name, r.worker_name]), [["r-1", "w"], ["r-2", "w"]], "claimed with the build, in queue order");
    t.is((await runsOf(store, Status.QUEUED)).length, 1, "the third waits: the worker has two slots");
    await settle();
    t.deepEqual(got, ["r-1", "r-2"]);
    const events = await store.db.selectFrom("run_events").select("run_id").where("status", "=", Status.RUNNING).execute();
    t.is(events.length, 2, "each claim's RUNNING event recorded, as for any claim");
  });

  test(`${dialect}: a placed run is RUNNING for its worker with the pushed token's hash, its history QUEUED then RUNNING`, async (t) => {
    const { store, deps, dispatcher, trigger } = await setUp(t, dialect, loopRunsYaml([1], { trigger: "ci", hostTag: "lab" }), 1);
    deps.lifecycle.placeNewRunsWith(dispatcher);
    const tokens: string[] = [];
    const session = dispatcher.workers.byName("w")[0]!;
    session.queue.deliverTo((m) => { if (m.action.case === "assignment") tokens.push(m.action.value.runToken); }, () => {});
    const before = Date.now();
    await trigger();
    await settle();
    const run = await store.db.selectFrom("runs").selectAll().executeTakeFirstOrThrow();
    t.is(run.status, Status.RUNNING);
    t.is(run.worker_name, "w");
    t.is(run.acked, 0, "not acknowledged yet: the lease sweep requeues it if the worker never says so");
    t.true(run.started_at !== null && run.started_at >= before);
    t.is(tokens.length, 1);
    t.true(tokenMatches(tokens[0]!, run.token_hash), "the pushed token is the run's own");
    const history = await store.db.selectFrom("run_events").select(["status", "worker_name"]).where("run_id", "=", run.id).orderBy("id").execute();
    t.deepEqual(history.map((e) => [Status[e.status], e.worker_name]), [["QUEUED", null], ["RUNNING", "w"]]);
  });

  test(`${dialect}: a placed run is pushed before its QUEUED event is published, and its RUNNING event follows that`, async (t) => {
    const { deps, dispatcher, got, trigger } = await setUp(t, dialect, loopRunsYaml([1, 2], { trigger: "ci", hostTag: "lab" }), 1);
    deps.lifecycle.placeNewRunsWith(dispatcher);
    const seen: string[] = [];
    deps.lifecycle.subscribe({ onLifecycleEvent: (e) => { if (e.kind === "run") seen.push(`${e.run} ${Status[e.status]} pushed: ${got.join(",")}`); } });
    await trigger();
    await settle();
    t.deepEqual(seen.slice(0, 2), ["r-1 QUEUED pushed: r-1", "r-2 QUEUED pushed: r-1"], "the placed run was out before the events");
    t.deepEqual(seen.slice(2), ["r-1 RUNNING pushed: r-1"], "the claim's RUNNING event after its QUEUED one; r-2 waits for the one slot");
  });

  test(`${dialect}: a busy worker gets nothing beyond its slots; an older queued run goes before the new one`, async (t) => {
    const { store, deps, dispatcher, got, trigger, hold } = await setUp(t, dialect, loopRunsYaml([1], { trigger: "ci", hostTag: "lab" }), 1);
    const release = hold(); // not served before its reconnection is reconciled
    deps.lifecycle.placeNewRunsWith(dispatcher);
    await trigger();
    await settle();
    t.is((await runsOf(store, Status.QUEUED)).length, 1, "nothing offered while the worker takes no runs");
    release();
    await trigger();
    t.deepEqual((await runsOf(store, Status.RUNNING)).map((r) => r.number), [1], "build 1's run went first");
    await trigger();
    t.is((await runsOf(store, Status.RUNNING)).length, 1, "the worker's one slot is taken");
    await settle();
    t.deepEqual(got, ["r-1"], "one assignment only");
    t.is((await runsOf(store, Status.QUEUED)).length, 2);
  });

  test(`${dialect}: a synchronous project's runs are left to the dispatcher`, async (t) => {
    const { store, deps, dispatcher, got, trigger } = await setUp(t, dialect, loopRunsYaml([1], { trigger: "ci", hostTag: "lab" }), 1, true);
    deps.lifecycle.placeNewRunsWith(dispatcher);
    await trigger();
    t.is((await runsOf(store, Status.RUNNING)).length, 0, "not claimed in the trigger's transaction");
    for (let i = 0; i < 100 && !got.length; i++) await new Promise((r) => setTimeout(r, 50));
    t.deepEqual(got, ["r-1"], "the dispatcher's pass (woken by QUEUED) assigns it");
  });
}
