// Build numbers are 1, 2, ... per project without gaps or duplicates, also
// when many triggers race (on both dialects).
import test from "ava";
import { triggerBuild } from "../../../server/builds/trigger.js";
import { insertProject } from "../../../server/store/projects.js";
import { dialects, openTestStore } from "../../support/db.js";
import { triggerDeps } from "../../support/trigger.js";
import { PASS_FAIL_YAML } from "../../support/projects.js";

for (const dialect of dialects) {
  test(`${dialect}: 25 concurrent triggers get builds 1..25, per project`, async (t) => {
    const store = await openTestStore(t, dialect);
    await insertProject(store.db, "a", PASS_FAIL_YAML, Date.now());
    await insertProject(store.db, "b", PASS_FAIL_YAML, Date.now());
    let queued = 0;
    const deps = triggerDeps(store, () => { queued++; });
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) =>
      triggerBuild(deps, { project: i % 5 === 0 ? "b" : "a", triggerName: "ci", params: {}, reason: "test" })));
    const numbers = (p: string) => store.db.selectFrom("builds").innerJoin("projects", "projects.id", "builds.project_id")
      .select("builds.number").where("projects.name", "=", p).orderBy("builds.number").execute();
    t.deepEqual((await numbers("a")).map((r) => r.number), Array.from({ length: 20 }, (_, i) => i + 1));
    t.deepEqual((await numbers("b")).map((r) => r.number), [1, 2, 3, 4, 5]);
    t.is(results.length, 25);
    t.is(queued, 25);
    const runs = await store.db.selectFrom("runs").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
    t.is(Number(runs.n), 50, "two runs per build");
  });

  test(`${dialect}: a trigger of an unknown project or trigger creates nothing`, async (t) => {
    const store = await openTestStore(t, dialect);
    await insertProject(store.db, "a", PASS_FAIL_YAML, Date.now());
    const deps = triggerDeps(store);
    await t.throwsAsync(triggerBuild(deps, { project: "nope", params: {}, reason: "" }), { name: "NotFoundError" });
    await t.throwsAsync(triggerBuild(deps, { project: "a", triggerName: "nope", params: {}, reason: "" }), { message: /nope/ });
    await t.throwsAsync(triggerBuild(deps, { project: "a", triggerName: "ci", params: { "bad-name": "x" }, reason: "" }), { name: "InvalidArgumentError" });
    const builds = await store.db.selectFrom("builds").selectAll().execute();
    t.deepEqual(builds, []);
    const next = await triggerBuild(deps, { project: "a", triggerName: "ci", params: {}, reason: "" });
    t.is(next.number, 1, "failed triggers leave no gap");
  });
}
