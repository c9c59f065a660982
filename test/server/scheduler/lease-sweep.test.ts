// The lease sweep on a real store (both dialects), with a clock the test
// turns: an instance holding Pull streams renews one heartbeat row (once a
// third of the lease old), not its workers' rows, so they never look silent,
// and releases a worker whose stream closed; a worker held by an instance
// whose heartbeat stopped loses its runs after the lease. The sweep follows
// the changes to the rows of the workers connected here that another
// instance made (disabled, deleted, restricted, low disk), including a write
// stamped just before the previous sweep but committed after it.
import test from "ava";
import { Lifecycle } from "../../../server/builds/lifecycle.js";
import { createLogger } from "../../../server/logger.js";
import { ConnectedWorkers } from "../../../server/scheduler/connected-workers.js";
import { LeaseKeeper } from "../../../server/scheduler/leases.js";
import type { Store } from "../../../server/store/db.js";
import { deleteWorker, findWorker, insertWorker, setWorkerEnlisted, updateWorkerFacts } from "../../../server/store/workers.js";
import { beatInstance, holdWorkers, lastContacts, releaseWorkers } from "../../../server/store/worker-liveness.js";
import { staleRuns } from "../../../server/store/run-leases.js";
import { regularWorkersOnline } from "../../../server/store/surges.js";
import { insertProject } from "../../../server/store/projects.js";
import { triggerBuild } from "../../../server/builds/trigger.js";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { dialects, openTestStore } from "../../support/db.js";
import { PASS_FAIL_YAML } from "../../support/projects.js";
import { triggerDeps } from "../../support/trigger.js";

const LEASE_MS = 30_000;
const SWEEP_MS = 5_000;
const GB = 1e9;

function keeperOn(store: Store, clock: { now: number }) {
  const log = createLogger("silent");
  const workers = new ConnectedWorkers();
  const lifecycle = new Lifecycle({ store, now: () => clock.now, log, publicUrl: () => "http://jobserv.test", notes: { note: async () => {} } });
  const keeper = new LeaseKeeper({ store, lifecycle, workers, now: () => clock.now, log },
    { leaseMs: LEASE_MS, ackMs: 15_000, sweepMs: SWEEP_MS, gate: { diskMinFreeBytes: 10 * GB } });
  return { keeper, workers };
}

async function register(store: Store, name: string, at: number): Promise<void> {
  await insertWorker(store.db, {
    name, token_hash: "h", enlisted: 1, created_at: at, host_tags: '["amd64","arm64"]', concurrency: 1,
    distro: "", cpu_type: "", cpu_total: 1, mem_total: 1, version: "", last_seen: at,
  });
}

const lastSeen = async (store: Store, name: string) => Number((await findWorker(store.db, name))!.last_seen);

/** A run of a new build RUNNING on `worker`, acknowledged. */
async function runningOn(store: Store, worker: string, at: number): Promise<number> {
  await insertProject(store.db, "p", PASS_FAIL_YAML, at);
  const { buildId } = await triggerBuild(triggerDeps(store), { project: "p", triggerName: "ci", params: {}, reason: "" });
  const run = await store.db.selectFrom("runs").select("id").where("build_id", "=", buildId).orderBy("id").executeTakeFirstOrThrow();
  await store.db.updateTable("runs").set({ status: Status.RUNNING, acked: 1, worker_name: worker, started_at: at }).where("id", "=", run.id).execute();
  return run.id;
}

const runStatus = async (store: Store, id: number) => (await store.db.selectFrom("runs").select("status").where("id", "=", id).executeTakeFirstOrThrow()).status;
const heartbeat = async (store: Store, instance: string) => Number((await store.db.selectFrom("instances").select("heartbeat_at").where("id", "=", instance).executeTakeFirstOrThrow()).heartbeat_at);

for (const dialect of dialects) {
  test(`${dialect}: an instance holding streams renews its heartbeat once a third of the lease old, not its idle workers' rows`, async (t) => {
    const store = await openTestStore(t, dialect);
    const clock = { now: 1_000_000 };
    for (const name of ["idle-1", "idle-2", "busy"]) await register(store, name, 0);
    const runId = await runningOn(store, "busy", clock.now);
    const { keeper, workers } = keeperOn(store, clock);
    const sessions = new Map(["idle-1", "idle-2", "busy"].map((name) => [name, workers.add({ name, tags: ["amd64", "arm64"], concurrency: 1 })]));

    const beats: number[] = [];
    for (let sweep = 0; sweep < 12; sweep++) {
      await keeper.tick();
      beats.push(await heartbeat(store, keeper.instance));
      t.true(clock.now - beats.at(-1)! < LEASE_MS / 3 + SWEEP_MS, `renewed at most a third of the lease and a sweep ago (sweep ${sweep}: ${beats.join(" ")})`);
      clock.now += SWEEP_MS;
    }
    const renewals = new Set(beats).size;
    t.true(renewals >= 4 && renewals <= 6, `12 sweeps of 5 s renewed it ${renewals} times (every 10-15 s, not every sweep)`);
    t.is(beats[0], 1_000_000, "the first sweep renews it");
    for (const name of ["idle-1", "idle-2"]) {
      t.is(await lastSeen(store, name), 1_000_000, `${name}: its row written once, when its stream was first swept`);
      t.is((await findWorker(store.db, name))!.held_by, keeper.instance);
    }
    t.true(await lastSeen(store, "busy") > 1_000_000 + LEASE_MS, "a worker with an active run has last_seen renewed too (for sweeps of the previous version)");
    t.is(await runStatus(store, runId), Status.RUNNING);
    const since = clock.now - LEASE_MS;
    t.deepEqual((await regularWorkersOnline(store.db, since)).map((w) => w.name).sort(), ["busy", "idle-1", "idle-2"], "online by their holder's heartbeat");
    t.is((await lastContacts(store.db, ["idle-1"])).get("idle-1"), beats.at(-1));

    // idle-1's stream closes: the next sweep releases it (seen then), idle-2 stays held; nothing more after.
    workers.remove(sessions.get("idle-1")!);
    await keeper.tick();
    const released = clock.now;
    t.like(await findWorker(store.db, "idle-1"), { held_by: null });
    t.is(await lastSeen(store, "idle-1"), released);
    t.is((await findWorker(store.db, "idle-2"))!.held_by, keeper.instance);
    clock.now += LEASE_MS;
    await keeper.tick();
    t.is(await lastSeen(store, "idle-1"), released, "a released worker is not renewed");
    t.deepEqual((await regularWorkersOnline(store.db, clock.now - LEASE_MS)).map((w) => w.name).sort(), ["busy", "idle-2"]);
  });

  test(`${dialect}: a worker held by an instance whose heartbeat stopped loses its run after the lease`, async (t) => {
    const store = await openTestStore(t, dialect);
    const clock = { now: 1_000_000 };
    await register(store, "w", 0);
    const runId = await runningOn(store, "w", clock.now);
    const a = keeperOn(store, clock);
    a.workers.add({ name: "w", tags: ["amd64", "arm64"], concurrency: 1 });
    await a.keeper.tick();
    // Instance A stops (killed): neither its heartbeat nor the worker's row is renewed any more; instance B sweeps.
    const b = keeperOn(store, clock);
    t.not(b.keeper.instance, a.keeper.instance);
    clock.now += LEASE_MS - 1;
    await b.keeper.tick();
    t.is(await runStatus(store, runId), Status.RUNNING, "within the lease of A's last heartbeat");
    clock.now += 2;
    await b.keeper.tick();
    t.is(await runStatus(store, runId), Status.FAILED, "past it: lost");
    const run = await store.db.selectFrom("runs").select("status_message").where("id", "=", runId).executeTakeFirstOrThrow();
    t.is(run.status_message, "worker w lost: no contact for 30 s");
  });

  test(`${dialect}: staleRuns: a worker is silent when neither its last_seen nor its holder's heartbeat is fresh`, async (t) => {
    const store = await openTestStore(t, dialect);
    const now = 1_000_000;
    await register(store, "w", 0);
    const runId = await runningOn(store, "w", now);
    const stale = async () => (await staleRuns(store.db, now - LEASE_MS, 0)).map((r) => [r.id, r.last_seen]);
    t.deepEqual(await stale(), [[runId, 0]], "held by none, last seen long ago");
    await holdWorkers(store.db, ["w"], "i1", 0);
    t.deepEqual(await stale(), [[runId, 0]], "held by an instance that never beat");
    await beatInstance(store.db, "i1", now - LEASE_MS - 1);
    t.deepEqual(await stale(), [[runId, now - LEASE_MS - 1]], "its holder's heartbeat too old");
    await beatInstance(store.db, "i1", now - 1);
    t.deepEqual(await stale(), [], "its holder's heartbeat fresh");
    await releaseWorkers(store.db, ["w"], "i2", now - LEASE_MS - 1);
    t.deepEqual(await stale(), [], "released only by the instance holding it");
    await releaseWorkers(store.db, ["w"], "i1", now - 2);
    t.deepEqual(await stale(), [], "released: its own last_seen, fresh");
    t.like(await findWorker(store.db, "w"), { held_by: null });
    t.is(await lastSeen(store, "w"), now - 2);
  });
}

for (const dialect of dialects) {
  test(`${dialect}: the next sweep follows workers disabled, deleted, restricted or low on disk elsewhere`, async (t) => {
    const store = await openTestStore(t, dialect);
    const clock = { now: 1_000_000 };
    const names = ["disabled", "deleted", "restricted", "low-disk", "late-write", "unchanged"];
    for (const name of names) await register(store, name, 0);
    const { keeper, workers } = keeperOn(store, clock);
    const sessions = new Map(names.map((name) => [name, workers.add({ name, tags: ["amd64", "arm64"], concurrency: 1 })]));

    await keeper.tick();
    t.deepEqual(workers.list().map((s) => s.worker.name).sort(), [...names].sort(), "nothing changed: every stream stays open");
    const previousSweep = clock.now;

    // Another instance (same store) changes the rows, as the admin and worker APIs do.
    clock.now += 1_000;
    await setWorkerEnlisted(store.db, "disabled", false, clock.now);
    await deleteWorker(store.db, "deleted", clock.now);
    await setWorkerEnlisted(store.db, "restricted", true, clock.now, '["amd64"]');
    await updateWorkerFacts(store.db, "low-disk", { disk_free: 2 * GB, facts_at: clock.now }, clock.now);
    // Stamped before the previous sweep read the changes (a slower clock, or committed late).
    await updateWorkerFacts(store.db, "late-write", { disk_free: 3 * GB, facts_at: previousSweep - 1_500 }, previousSweep - 1_500);

    clock.now = previousSweep + SWEEP_MS;
    await keeper.tick();
    t.true(sessions.get("disabled")!.closed, "a disabled worker's stream closes");
    t.true(sessions.get("deleted")!.closed, "a deleted worker's stream closes");
    t.true(sessions.get("restricted")!.closed, "a restricted worker reconnects for its new tags");
    t.false(sessions.get("low-disk")!.closed);
    t.regex(sessions.get("low-disk")!.gate.idle, /^low disk: 2\.0 GB free/);
    t.regex(sessions.get("late-write")!.gate.idle, /^low disk: 3\.0 GB free/, "a write stamped just before the previous sweep is followed");
    t.false(sessions.get("unchanged")!.closed);
    t.is(sessions.get("unchanged")!.gate.idle, "");

    // A worker back on disk space takes runs again at the next sweep; a new stream is read before its first sweep ends.
    clock.now += SWEEP_MS;
    await updateWorkerFacts(store.db, "low-disk", { disk_free: 50 * GB, facts_at: clock.now }, clock.now);
    await setWorkerEnlisted(store.db, "disabled", true, clock.now);
    const again = workers.add({ name: "disabled", tags: ["amd64", "arm64"], concurrency: 1 });
    clock.now += SWEEP_MS;
    await keeper.tick();
    t.is(sessions.get("low-disk")!.gate.idle, "");
    t.false(again.closed, "re-enlisted, its new stream stays open");
  });
}
