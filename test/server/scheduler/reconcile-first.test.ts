// A Pull stream is served only once its worker's reconnection is reconciled:
// before that, an assignment made to it would look like a run the worker
// reconnected without, and be queued again for a second worker (seen in the
// scheduler bench: 50 workers connecting at once, runs executed twice). The
// dispatcher on a real store with a queued run, on both dialects.
import test from "ava";
import { randomBytes } from "node:crypto";
import { triggerBuild } from "../../../server/builds/trigger.js";
import { createLogger } from "../../../server/logger.js";
import { Dispatcher } from "../../../server/scheduler/dispatcher.js";
import { SecretCipher } from "../../../server/secrets/cipher.js";
import { insertProject } from "../../../server/store/projects.js";
import { dialects, openTestStore } from "../../support/db.js";
import { loopRunsYaml } from "../../support/projects.js";
import { triggerDeps } from "../../support/trigger.js";

for (const dialect of dialects) {
  test(`${dialect}: a session is not served before it is reconciled, and is served after`, async (t) => {
    const store = await openTestStore(t, dialect);
    await insertProject(store.db, "p", loopRunsYaml([1], { trigger: "ci", hostTag: "lab" }), Date.now());
    const deps = triggerDeps(store);
    await triggerBuild(deps, { project: "p", triggerName: "ci", params: {}, reason: "" });
    const dispatcher = new Dispatcher(store, deps.lifecycle, new SecretCipher(randomBytes(32)), Date.now, { pollMs: 60_000, log: createLogger("silent") });
    t.teardown(() => dispatcher.stop());
    const session = dispatcher.workers.add({ name: "w", tags: ["lab"], concurrency: 1 });
    const got: string[] = [];
    void (async () => { for await (const m of session.queue) got.push(m.action.case ?? ""); })();

    dispatcher.wake();
    dispatcher.wakeWorker("w");
    await new Promise((r) => setTimeout(r, 300));
    t.deepEqual(got, [], "nothing pushed while the reconnection is being reconciled");
    const running = await store.db.selectFrom("runs").select("id").where("worker_name", "=", "w").execute();
    t.is(running.length, 0, "nothing claimed for it");

    session.reconciled = true;
    dispatcher.wake();
    for (let i = 0; i < 100 && !got.length; i++) await new Promise((r) => setTimeout(r, 50));
    t.deepEqual(got, ["assignment"]);
  });
}
