// FreshReads: concurrent reads of one key share a query that started after
// each caller asked. Gathering reads wait for the rest of the event-loop turn,
// so callers asking in the same turn share one read (SQLite's queries never
// yield, so nothing would be in flight to share otherwise). The same for
// batched calls (claims) and batched keyed reads (slot counts).
import test from "ava";
import { BatchedCalls, BatchedReads, FreshReads } from "../../../server/store/coalesce.js";

function counted() {
  let calls = 0;
  let value = 0;
  return { read: async () => { calls++; return ++value; }, get calls() { return calls; }, set: (v: number) => { value = v; } };
}

test("gathering: five callers in one turn share one read", async (t) => {
  const reads = new FreshReads<number, number>(true);
  const src = counted();
  const got = await Promise.all([1, 2, 3, 4, 5].map(() => reads.read(7, src.read)));
  t.is(src.calls, 1);
  t.deepEqual(got, [1, 1, 1, 1, 1]);
});

test("gathering: a caller asking after the read started gets a read that starts after it asked", async (t) => {
  const reads = new FreshReads<number, number>(true);
  let calls = 0;
  let release: () => void = () => {};
  let value = 0;
  const read = () => { calls++; const v = ++value; return new Promise<number>((r) => { release = () => r(v); }); };
  const first = reads.read(1, read);
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  t.is(calls, 1, "the first read started");
  const second = reads.read(1, read);
  const third = reads.read(1, read);
  release();
  t.is(await first, 1);
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  release();
  t.is(await second, 2, "a fresh read for the late caller");
  t.is(await third, 2, "shared with the other late caller");
  t.is(calls, 2);
});

test("without gathering a read starts at once", async (t) => {
  const reads = new FreshReads<number, number>();
  const src = counted();
  const p = reads.read(1, src.read);
  t.is(src.calls, 1);
  t.is(await p, 1);
});

test("gathering batched calls and reads: calls made in one turn go together", async (t) => {
  const batches: number[][] = [];
  const calls = new BatchedCalls<number, number>(async (xs) => { batches.push(xs); return xs.map((x) => x * 2); }, 200, true);
  t.deepEqual(await Promise.all([1, 2, 3].map((x) => calls.call(x))), [2, 4, 6]);
  t.deepEqual(batches, [[1, 2, 3]]);
  const keys: string[][] = [];
  const reads = new BatchedReads<string, number>(async (ks) => { keys.push(ks); return new Map(ks.map((k) => [k, k.length])); }, 0, true);
  t.deepEqual(await Promise.all(["a", "bb", "ccc"].map((k) => reads.get(k))), [1, 2, 3]);
  t.deepEqual(keys, [["a", "bb", "ccc"]]);
});

test("batched calls: with parallel 2 a call made while one batch is in flight starts a second; with 1 it waits", async (t) => {
  for (const parallel of [1, 2]) {
    let inFlight = 0;
    let most = 0;
    const batches: number[][] = [];
    const calls = new BatchedCalls<number, number>(async (xs) => {
      batches.push(xs);
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 30));
      inFlight--;
      return xs;
    }, 200, false, parallel);
    const first = calls.call(1);
    await new Promise((r) => setTimeout(r, 5));
    const rest = [2, 3, 4].map((x) => calls.call(x));
    t.deepEqual(await Promise.all([first, ...rest]), [1, 2, 3, 4]);
    t.is(most, parallel, `parallel ${parallel}: at most ${parallel} batches at once`);
    t.deepEqual(batches, parallel === 1 ? [[1], [2, 3, 4]] : [[1], [2], [3, 4]], `parallel ${parallel}`);
  }
});
