// The lease sweep on a real store (both dialects), with a clock the test
// turns: a connected worker's last_seen is renewed once a third of the lease
// old, not every sweep, so it never looks silent; and the sweep follows the
// changes to the rows of the workers connected here that another instance
// made (disabled, deleted, restricted, low disk), including a write stamped
// just before the previous sweep but committed after it.
import test from "ava";
import { Lifecycle } from "../../../server/builds/lifecycle.js";
import { createLogger } from "../../../server/logger.js";
import { ConnectedWorkers } from "../../../server/scheduler/connected-workers.js";
import { LeaseKeeper } from "../../../server/scheduler/leases.js";
import type { Store } from "../../../server/store/db.js";
import { deleteWorker, findWorker, insertWorker, setWorkerEnlisted, updateWorkerFacts } from "../../../server/store/workers.js";
import { dialects, openTestStore } from "../../support/db.js";

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

for (const dialect of dialects) {
  test(`${dialect}: a connected worker's last_seen is renewed once a third of the lease old, not every sweep`, async (t) => {
    const store = await openTestStore(t, dialect);
    const clock = { now: 1_000_000 };
    await register(store, "w", 0);
    const { keeper, workers } = keeperOn(store, clock);
    workers.add({ name: "w", tags: ["amd64", "arm64"], concurrency: 1 });

    const seen: number[] = [];
    for (let sweep = 0; sweep < 12; sweep++) {
      await keeper.tick();
      seen.push(await lastSeen(store, "w"));
      t.true(clock.now - seen.at(-1)! < LEASE_MS / 3 + SWEEP_MS, `renewed at most a third of the lease and a sweep ago (sweep ${sweep}: ${seen.join(" ")})`);
      clock.now += SWEEP_MS;
    }
    const renewals = new Set(seen).size;
    t.true(renewals >= 4 && renewals <= 6, `12 sweeps of 5 s renewed it ${renewals} times (every 10-15 s, not every sweep)`);
    t.is(seen[0], 1_000_000, "the first sweep renews it");

    for (const s of workers.list()) workers.remove(s);
    const before = await lastSeen(store, "w");
    clock.now += LEASE_MS;
    await keeper.tick();
    t.is(await lastSeen(store, "w"), before, "a worker whose stream closed is not renewed");
  });

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
