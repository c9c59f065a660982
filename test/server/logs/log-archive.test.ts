// Completed logs move from the store to artifact storage (an S3-compatible
// bucket, s3rver on loopback), on both dialects: the object holds the log
// byte for byte and one marker row replaces the chunks; readers that had
// read part of the chunks when the move deleted them carry on from the
// object without a cut; bytes appended after a move are read after it (and
// stay in the store); a run rerun while its log was copied is left alone.
import { randomBytes } from "node:crypto";
import { buffer } from "node:stream/consumers";
import test, { type ExecutionContext } from "ava";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { S3ArtifactStorage } from "../../../server/artifacts/s3-storage.js";
import { triggerBuild } from "../../../server/builds/trigger.js";
import { LogArchive } from "../../../server/logs/log-archive.js";
import { LogStore } from "../../../server/logs/log-store.js";
import type { Store } from "../../../server/store/db.js";
import { insertProject } from "../../../server/store/projects.js";
import { dialects, openTestStore, type Dialect } from "../../support/db.js";
import { PASS_FAIL_YAML } from "../../support/projects.js";
import { startS3Server } from "../../support/s3-server.js";
import { triggerDeps } from "../../support/trigger.js";

const quiet = { warn: () => {}, info: () => {} };

async function setup(t: ExecutionContext, dialect: Dialect) {
  const store = await openTestStore(t, dialect);
  const s3 = await startS3Server(t);
  const storage = new S3ArtifactStorage(s3.storage("logs/"));
  t.teardown(() => storage.close());
  const archive = new LogArchive(store, storage, { delayMs: 0, sweepMs: 60_000, log: quiet });
  const logs = new LogStore(store, { pollMs: 50, archive });
  await insertProject(store.db, "p", PASS_FAIL_YAML, Date.now());
  await triggerBuild(triggerDeps(store), { project: "p", triggerName: "ci", params: {}, reason: "" });
  const run = await store.db.selectFrom("runs").select(["id", "name"]).orderBy("id").executeTakeFirstOrThrow();
  return { store, storage, archive, logs, runId: run.id, key: `p/1/${run.name}/console.log` };
}

/** Appends `data` in chunks of 1..2000 bytes, as a worker's shipper might. */
async function appendAll(logs: LogStore, runId: number, data: Buffer, from = 0): Promise<void> {
  for (let i = 0; i < data.length;) {
    const n = 1 + ((i * 7919) % 2000);
    await logs.append(runId, from + i, data.subarray(i, i + n));
    i += n;
  }
}

async function complete(store: Store, runId: number): Promise<void> {
  await store.db.updateTable("runs").set({ status: Status.PASSED, completed_at: Date.now() }).where("id", "=", runId).execute();
}

async function read(logs: LogStore, runId: number, from = 0): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const item of logs.tail(runId, from, false, async () => true, new AbortController().signal)) parts.push(item.data);
  return Buffer.concat(parts);
}

const rowsOf = (store: Store, runId: number) => store.db.selectFrom("log_chunks").select(["start_offset", "end_offset", "archived"])
  .where("run_id", "=", runId).orderBy("start_offset").execute().then((rs) => rs.map((r) => [Number(r.start_offset), Number(r.end_offset), Number(r.archived)]));

for (const dialect of dialects) {
  test(`${dialect}: a completed log moves byte for byte; one marker row stays; reads from any offset are unchanged`, async (t) => {
    const { store, storage, archive, logs, runId, key } = await setup(t, dialect);
    const data = randomBytes(300_000);
    await appendAll(logs, runId, data);
    t.false(await archive.move(runId), "a running run's log stays in the store");
    await complete(store, runId);
    t.true(await archive.move(runId));
    t.deepEqual(await rowsOf(store, runId), [[0, data.length, 1]], "one marker row instead of the chunks");
    t.true((await buffer((await storage.get(key))!.body)).equals(data), "the object is the log");
    t.true((await read(logs, runId)).equals(data));
    t.true((await read(logs, runId, 123_457)).equals(data.subarray(123_457)));
    t.is((await read(logs, runId, data.length)).length, 0);
    t.false(await archive.move(runId), "moved already");

    // A late note (appended after the move) is read after the object and stays in the store: the object is never rewritten.
    await logs.append(runId, data.length, Buffer.from("\n== late note\n"));
    const whole = Buffer.concat([data, Buffer.from("\n== late note\n")]);
    t.true((await read(logs, runId)).equals(whole));
    t.true((await read(logs, runId, 299_990)).equals(whole.subarray(299_990)));
    t.is(await archive.sweep(), 0);
    t.deepEqual(await rowsOf(store, runId), [[0, data.length, 1], [data.length, whole.length, 0]]);
  });

  test(`${dialect}: readers racing the move are never cut`, async (t) => {
    const { store, archive, logs, runId } = await setup(t, dialect);
    const data = randomBytes(200 * 1024);
    for (let i = 0; i < 400; i++) await logs.append(runId, i * 512, data.subarray(i * 512, (i + 1) * 512)); // 400 chunks
    await complete(store, runId);

    // The exact race: a reader has read the first batch of chunks (64 of them) when the move deletes them all.
    const reader = logs.tail(runId, 0, false, async () => true, new AbortController().signal);
    const first = await reader.next();
    t.false(first.done);
    t.true(await archive.move(runId));
    t.deepEqual(await rowsOf(store, runId), [[0, data.length, 1]]);
    const parts = [Buffer.from(first.value!.data)];
    for await (const item of reader) parts.push(Buffer.from(item.data));
    t.true(Buffer.concat(parts).equals(data), "the rest came from the object, at the right offset");

    // Many readers of another run, from spread offsets, started at staggered times around its move.
    const other = await store.db.selectFrom("runs").select("id").where("id", "!=", runId).executeTakeFirstOrThrow();
    const data2 = randomBytes(300 * 1024);
    for (let i = 0; i < 300; i++) await logs.append(other.id, i * 1024, data2.subarray(i * 1024, (i + 1) * 1024));
    await complete(store, other.id);
    const froms = Array.from({ length: 12 }, (_, i) => (i * 27_127) % data2.length);
    const readers = froms.map(async (from, i) => {
      await new Promise((r) => setTimeout(r, i * 3));
      return [from, await read(logs, other.id, from)] as const;
    });
    const [moved, ...results] = await Promise.all([archive.move(other.id), ...readers]);
    t.true(moved);
    for (const [from, got] of results) t.true(got.equals(data2.subarray(from)), `reader from ${from}`);
    t.deepEqual(await rowsOf(store, other.id), [[0, data2.length, 1]]);
  });

  test(`${dialect}: a move gives way to a run that changed meanwhile (rerun) and never loses bytes`, async (t) => {
    const { store, storage, logs, runId } = await setup(t, dialect);
    await appendAll(logs, runId, Buffer.from("first attempt\n".repeat(1000)));
    await complete(store, runId);
    // Another instance reruns the run while this one copies its log into storage.
    const rerunDuringCopy = {
      ...storage, get: storage.get.bind(storage), list: storage.list.bind(storage), delete: storage.delete.bind(storage),
      put: async (key: string, body: AsyncIterable<Uint8Array>, opts: { maxBytes: number }) => {
        const out = await storage.put(key, body, opts);
        await store.db.deleteFrom("log_chunks").where("run_id", "=", runId).execute();
        await store.db.updateTable("runs").set({ status: Status.QUEUED, completed_at: null, log_size: 0 }).where("id", "=", runId).execute();
        return out;
      },
    };
    const racing = new LogArchive(store, rerunDuringCopy, { delayMs: 0, sweepMs: 60_000, log: quiet });
    t.false(await racing.move(runId), "the mover notices and changes nothing");
    t.deepEqual(await rowsOf(store, runId), []);
    await appendAll(logs, runId, Buffer.from("second attempt\n"));
    await complete(store, runId);
    t.true((await rowsOf(store, runId)).every(([, , archived]) => archived === 0), "the new attempt's log is in the store");
    const archive = new LogArchive(store, storage, { delayMs: 0, sweepMs: 60_000, log: quiet });
    t.true(await archive.move(runId));
    t.is((await read(logs, runId)).toString(), "second attempt\n", "the new attempt's log, not the stale copy");
  });
}
