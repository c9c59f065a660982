// A trigger's transaction begun before its checks (EarlyTransaction, MariaDB:
// its BEGIN overlaps the trigger's reads): the build is created in it when the
// trigger goes ahead; a refused trigger rolls it back and leaves no connection
// held (more refusals than the pool has connections, then a trigger that must
// still get one). SQLite has one connection: nothing is begun early there.
import test from "ava";
import { triggerBuild } from "../../../server/builds/trigger.js";
import { EarlyTransaction, findBuildById } from "../../../server/store/builds.js";
import { insertProject } from "../../../server/store/projects.js";
import { dialects, openTestStore } from "../../support/db.js";
import { PASS_FAIL_YAML } from "../../support/projects.js";
import { triggerDeps } from "../../support/trigger.js";

const within = <T>(ms: number, p: Promise<T>): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`not done within ${ms} ms (a connection left held?)`)), ms))]);

for (const dialect of dialects) {
  test(`${dialect}: a trigger in its early transaction commits the build; refused ones roll theirs back`, async (t) => {
    const store = await openTestStore(t, dialect);
    const deps = triggerDeps(store);
    await insertProject(store.db, "p", PASS_FAIL_YAML, Date.now());
    const trigger = async (project: string, triggerName: string) => {
      const early = EarlyTransaction.begin(store);
      try {
        return await triggerBuild(deps, { project, triggerName, params: {}, reason: "" }, undefined, early);
      } finally {
        await early?.end();
      }
    };
    const probe = EarlyTransaction.begin(store);
    t.is(probe === undefined, dialect === "sqlite", "begun early on a pooled store only");
    await probe?.end();
    for (let i = 0; i < 25; i++) { // the MariaDB pool has 20 connections
      await t.throwsAsync(within(10_000, trigger(i % 2 ? "nope" : "p", i % 2 ? "ci" : "no-such-trigger")));
    }
    const { buildId, number } = await within(10_000, trigger("p", "ci"));
    t.is(number, 1, "the refused triggers numbered nothing");
    t.is((await findBuildById(store.db, buildId))?.number, 1, "committed: seen from another connection");
    const runs = await store.db.selectFrom("runs").select("name").where("build_id", "=", buildId).orderBy("id").execute();
    t.deepEqual(runs.map((r) => r.name), ["good", "bad"]);
  });
}
