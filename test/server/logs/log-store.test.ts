// Log appends are idempotent and ordered: resends are acknowledged without a
// second copy, gaps are refused with the committed offset, racing appends of
// the same bytes store them once, and a tail from any offset reads them back.
import test from "ava";
import { triggerBuild } from "../../../server/builds/trigger.js";
import { LogGapError } from "../../../server/errors.js";
import { LogStore } from "../../../server/logs/log-store.js";
import { insertProject } from "../../../server/store/projects.js";
import { dialects, openTestStore } from "../../support/db.js";
import { triggerDeps } from "../../support/trigger.js";
import { PASS_FAIL_YAML } from "../../support/projects.js";

const b = (s: string) => Buffer.from(s);

async function collect(logs: LogStore, runId: number, from: number): Promise<string> {
  let out = "";
  for await (const item of logs.tail(runId, from, false, async () => true, new AbortController().signal)) out += Buffer.from(item.data).toString();
  return out;
}

for (const dialect of dialects) {
  test(`${dialect}: appends are idempotent, gaps refused, tails exact`, async (t) => {
    const store = await openTestStore(t, dialect);
    await insertProject(store.db, "p", PASS_FAIL_YAML, Date.now());
    await triggerBuild(triggerDeps(store), { project: "p", triggerName: "ci", params: {}, reason: "" });
    const run = await store.db.selectFrom("runs").select("id").orderBy("id").executeTakeFirstOrThrow();
    const logs = new LogStore(store);

    t.is(await logs.append(run.id, 0, b("hello ")), 6);
    t.is(await logs.append(run.id, 0, b("hello ")), 6, "a resend is acknowledged");
    t.is(await logs.append(run.id, 3, b("lo world")), 11, "an overlapping resend stores only the new part");
    const gap = await t.throwsAsync(logs.append(run.id, 20, b("x")), { instanceOf: LogGapError });
    t.is(gap?.committed, 11);
    const racing = await Promise.all([logs.append(run.id, 11, b("!\n")), logs.append(run.id, 11, b("!\n")), logs.append(run.id, 11, b("!\n"))]);
    t.deepEqual(racing, [13, 13, 13]);
    t.is(await collect(logs, run.id, 0), "hello world!\n");
    t.is(await collect(logs, run.id, 8), "rld!\n");
  });
}
