// The Pull streams' shared keep-alive timer (server/api/ping-wheel.ts): a Ping
// at once, then at least one per period per stream, none after removal, and
// no timer left running once the last stream is gone.
import test from "ava";
import { PingWheel } from "../../../server/api/ping-wheel.js";
import { WorkerSession } from "../../../server/scheduler/connected-workers.js";

const pings = (s: WorkerSession) => {
  let n = 0;
  // Drain what was queued so far without waiting.
  const items = (s.queue as unknown as { items: { action: { case: string } }[] }).items;
  for (const m of items.splice(0)) if (m.action.case === "ping") n++;
  return n;
};

test("every stream gets a Ping at once and then at least one per period; removed streams get none", async (t) => {
  const wheel = new PingWheel(160);
  const sessions = Array.from({ length: 40 }, (_, i) => new WorkerSession({ name: `w${i}`, tags: [], concurrency: 1 }));
  for (const s of sessions) wheel.add(s);
  t.deepEqual(sessions.map(pings), sessions.map(() => 1), "the first Ping is sent when the stream opens");
  await new Promise((r) => setTimeout(r, 500));
  const counts = sessions.map(pings);
  t.true(counts.every((n) => n >= 2 && n <= 4), `about one Ping per 160 ms period in 500 ms: ${counts.join(",")}`);
  for (const s of sessions.slice(0, 20)) wheel.remove(s);
  await new Promise((r) => setTimeout(r, 400));
  t.deepEqual(sessions.slice(0, 20).map(pings), sessions.slice(0, 20).map(() => 0));
  t.true(sessions.slice(20).map(pings).every((n) => n >= 1));
  for (const s of sessions.slice(20)) wheel.remove(s);
  t.is(wheel.size, 0);
  t.is((wheel as unknown as { timer: unknown }).timer, undefined, "no timer runs without streams");
});
