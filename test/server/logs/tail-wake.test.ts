// A follower of a run's log is pushed every append made on its instance: no
// append waits for the poll timer, also one committed while the follower is
// reading (the poll here is a minute, so a missed wake-up shows as a stall).
import test from "ava";
import { triggerBuild } from "../../../server/builds/trigger.js";
import { LogStore } from "../../../server/logs/log-store.js";
import { insertProject } from "../../../server/store/projects.js";
import { dialects, openTestStore } from "../../support/db.js";
import { triggerDeps } from "../../support/trigger.js";
import { PASS_FAIL_YAML } from "../../support/projects.js";

for (const dialect of dialects) {
  test(`${dialect}: every append reaches a follower at once, without the poll`, async (t) => {
    const store = await openTestStore(t, dialect);
    await insertProject(store.db, "p", PASS_FAIL_YAML, Date.now());
    await triggerBuild(triggerDeps(store), { project: "p", triggerName: "ci", params: {}, reason: "" });
    const run = await store.db.selectFrom("runs").select("id").orderBy("id").executeTakeFirstOrThrow();
    const logs = new LogStore(store, { pollMs: 60_000 });
    const abort = new AbortController();
    let done = false;
    let seen = "";
    const lags: number[] = [];
    const committedAt = new Map<number, number>();
    const follower = (async () => {
      for await (const item of logs.tail(run.id, 0, true, async () => done, abort.signal)) {
        seen += Buffer.from(item.data).toString();
        const at = committedAt.get(seen.length);
        if (at !== undefined) lags.push(performance.now() - at);
      }
    })();
    let text = "";
    for (let i = 0; i < 150; i++) {
      const line = `line ${i}\n`;
      const end = await logs.append(run.id, text.length, Buffer.from(line));
      text += line;
      committedAt.set(end, performance.now());
      // Appends at every phase of the follower's read: right away, after a microtask, after a tick.
      if (i % 3 === 1) await Promise.resolve();
      if (i % 3 === 2) await new Promise((r) => setImmediate(r));
    }
    const deadline = setTimeout(() => abort.abort(), 5_000);
    await new Promise((r) => setTimeout(r, 200));
    done = true;
    logs.notify(run.id);
    await follower;
    clearTimeout(deadline);
    t.false(abort.signal.aborted, `the follower stalled (saw ${seen.length} of ${text.length} bytes)`);
    t.is(seen, text);
    lags.sort((a, b) => a - b);
    t.log(`lags: p50 ${lags[Math.floor(lags.length / 2)]?.toFixed(1)} ms, max ${lags[lags.length - 1]?.toFixed(1)} ms over ${lags.length}`);
  });
}
