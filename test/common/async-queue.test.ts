// AsyncQueue: iterated with for-await, or (deliverTo) handing each item to a
// callback as it is pushed, with those already queued first and one close.
import test from "ava";
import { AsyncQueue } from "../../common/async-queue.js";

test("for-await drains what was queued, then ends once closed", async (t) => {
  const q = new AsyncQueue<number>();
  q.push(1);
  q.push(2);
  const got: number[] = [];
  const done = (async () => { for await (const n of q) got.push(n); })();
  await new Promise((r) => setImmediate(r));
  q.push(3);
  q.close();
  await done;
  t.deepEqual(got, [1, 2, 3]);
  t.false(q.push(4), "a closed queue refuses items");
});

test("deliverTo: queued items at once, later ones as pushed, onClose once; nothing after the close", (t) => {
  const q = new AsyncQueue<string>();
  q.push("a");
  const got: string[] = [];
  let closes = 0;
  q.deliverTo((s) => got.push(s), () => closes++);
  t.deepEqual(got, ["a"]);
  t.true(q.push("b"));
  t.deepEqual(got, ["a", "b"]);
  q.close();
  q.close();
  t.is(closes, 1);
  t.false(q.push("c"));
  t.deepEqual(got, ["a", "b"]);
});

test("deliverTo on a closed queue hands over what it held and reports the close", (t) => {
  const q = new AsyncQueue<string>();
  q.push("a");
  q.close();
  const got: string[] = [];
  let closes = 0;
  q.deliverTo((s) => got.push(s), () => closes++);
  t.deepEqual(got, ["a"]);
  t.is(closes, 1);
});
