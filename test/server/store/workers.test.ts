// Store functions for workers on both dialects: a worker's facts round-trip,
// including the changing ones (free disk beyond 32 bits, fractional load);
// the lease sweep's reads and writes of every connected worker hold for more
// names than one statement may carry placeholders; the writes a worker's
// streams must follow (and deletions) are found by when they happened, and
// holding a worker's stream is not one of them.
import test from "ava";
import { deleteWorker, findWorker, insertWorker, reportWorkerFacts, setWorkerEnlisted, updateWorkerFacts, workerGrants, workersChangedSince } from "../../../server/store/workers.js";
import { holdWorkers } from "../../../server/store/worker-liveness.js";
import { dialects, openTestStore } from "../../support/db.js";

for (const dialect of dialects) {
  test(`${dialect}: a worker's facts round-trip and are updated in place`, async (t) => {
    const store = await openTestStore(t, dialect);
    const facts = {
      host_tags: '["amd64"]', concurrency: 2, distro: "Debian GNU/Linux 12 (bookworm)", cpu_type: "Xeon", cpu_total: 2,
      mem_total: 24 * 1024 ** 3, version: "jobserv-ts/0.1", last_seen: 1_000, disk_free: 80 * 1024 ** 3, mem_free: 3 * 1024 ** 3, load_avg: 0.42,
    };
    await insertWorker(store.db, { name: "w1", token_hash: "h", enlisted: 0, created_at: 1_000, ...facts });
    const row = await findWorker(store.db, "w1");
    t.like(row, { name: "w1", cpu_total: 2, distro: facts.distro, allowed_host_tags: "[]" });
    t.is(Number(row!.disk_free), 80 * 1024 ** 3);
    t.is(Number(row!.mem_total), 24 * 1024 ** 3);
    t.is(Number(row!.load_avg), 0.42);

    await updateWorkerFacts(store.db, "w1", { disk_free: 5, load_avg: 3.75, last_seen: 2_000 }, 2_000);
    const updated = await findWorker(store.db, "w1");
    t.is(Number(updated!.disk_free), 5);
    t.is(Number(updated!.load_avg), 3.75);
    t.is(Number(updated!.mem_free), 3 * 1024 ** 3, "facts not given stay");
    t.is(await findWorker(store.db, "w2"), undefined);
  });
}

for (const dialect of dialects) {
  test(`${dialect}: holdWorkers and workerGrants take 70 000 names (more placeholders than one statement allows)`, async (t) => {
    const store = await openTestStore(t, dialect);
    const row = { token_hash: "h", enlisted: 1, created_at: 1_000, host_tags: "[]", concurrency: 1, distro: "", cpu_type: "", cpu_total: 1, mem_total: 1, version: "", last_seen: 1_000 };
    await insertWorker(store.db, { name: "first", ...row });
    await insertWorker(store.db, { name: "last", ...row });
    const names = ["first", ...Array.from({ length: 70_000 }, (_, i) => `absent-${i}`), "last"];
    await holdWorkers(store.db, names, "instance-a", 5_000);
    t.is(Number((await findWorker(store.db, "first"))!.last_seen), 5_000);
    t.is((await findWorker(store.db, "last"))!.held_by, "instance-a");
    t.deepEqual((await workerGrants(store.db, names)).map((g) => g.name).sort(), ["first", "last"]);
  });
}

for (const dialect of dialects) {
  test(`${dialect}: workersChangedSince finds registrations, facts, enlisting and deletions from a time on, not renewals`, async (t) => {
    const store = await openTestStore(t, dialect);
    const row = { token_hash: "h", enlisted: 1, host_tags: "[]", concurrency: 1, distro: "", cpu_type: "", cpu_total: 1, mem_total: 1, version: "", last_seen: 1_000 };
    for (const name of ["old", "facts", "enlist", "gone", "touched"]) await insertWorker(store.db, { name, created_at: 1_000, ...row });
    await insertWorker(store.db, { name: "new", created_at: 5_000, ...row });
    await updateWorkerFacts(store.db, "facts", { disk_free: 7, facts_at: 6_000 }, 6_000);
    await setWorkerEnlisted(store.db, "enlist", false, 7_000);
    await deleteWorker(store.db, "gone", 8_000);
    await holdWorkers(store.db, ["touched"], "instance-a", 9_000);
    t.deepEqual((await workersChangedSince(store.db, 5_000)).sort(), ["enlist", "facts", "gone", "new"]);
    t.deepEqual((await workersChangedSince(store.db, 7_000)).sort(), ["enlist", "gone"]);
    t.deepEqual(await workersChangedSince(store.db, 8_001), []);
    t.is(await findWorker(store.db, "gone"), undefined);

    // Registered again after its deletion: a row again; a deletion a day old is forgotten by the next one.
    await insertWorker(store.db, { name: "gone", created_at: 7_200, ...row });
    t.deepEqual(await workersChangedSince(store.db, 7_500), ["gone"]);
    await deleteWorker(store.db, "old", 8_000 + 25 * 3600_000);
    t.deepEqual(await workersChangedSince(store.db, 7_500), ["old"]);
  });
}

for (const dialect of dialects) {
  test(`${dialect}: a facts report stamps a change only when the disk guard may judge the worker otherwise`, async (t) => {
    const store = await openTestStore(t, dialect);
    const GB = 1e9;
    const row = { token_hash: "h", enlisted: 1, host_tags: "[]", concurrency: 1, distro: "", cpu_type: "", cpu_total: 1, mem_total: 1, version: "", last_seen: 1_000 };
    await insertWorker(store.db, { name: "w", created_at: 1_000, ...row });
    const report = (at: number, free: number, threshold = 0) =>
      reportWorkerFacts(store.db, "w", { disk_free: free * GB, mem_free: at, load_avg: 0.5, disk_threshold: threshold * GB, facts_at: at }, at, 10 * GB);
    const stamped = async () => Number((await findWorker(store.db, "w"))!.changed_at);
    const steps: [number, number, number, number, string][] = [
      // at, free GB, own threshold GB, changed_at expected, why
      [2_000, 50, 0, 2_000, "its first facts"],
      [3_000, 49, 0, 2_000, "plenty of disk before and after: not stamped"],
      [4_000, 5, 0, 4_000, "below the server's 10 GB"],
      [5_000, 4, 0, 5_000, "still below (the guard's message says how much)"],
      [6_000, 50, 0, 6_000, "back above"],
      [7_000, 51, 0, 6_000, "plenty again: not stamped"],
      [8_000, 51, 60, 8_000, "a threshold of its own"],
      [9_000, 70, 60, 9_000, "above it again, below it before"],
      [10_000, 71, 60, 9_000, "plenty: not stamped"],
    ];
    for (const [at, free, threshold, expected, why] of steps) {
      await report(at, free, threshold);
      t.is(await stamped(), expected, `${at}: ${why}`);
    }
    t.like(await findWorker(store.db, "w"), { mem_free: 10_000 });
    t.is(Number((await findWorker(store.db, "w"))!.last_seen), 10_000);
    t.is(Number((await findWorker(store.db, "w"))!.facts_at), 10_000);
    t.is(Number((await findWorker(store.db, "w"))!.disk_free), 71 * GB);
    await reportWorkerFacts(store.db, "w", undefined, 11_000, 10 * GB);
    t.is(Number((await findWorker(store.db, "w"))!.last_seen), 11_000, "a report without facts: seen");
    t.is(await stamped(), 9_000, "and not stamped");
  });
}
