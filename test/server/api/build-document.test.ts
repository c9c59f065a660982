// GetBuild's document (server/api/build-document.ts) on both dialects: the
// build, its runs and its events read in one round trip (one statement on
// MariaDB; on SQLite every query is sent before the first answer), in id order, access decided on the project before anything is
// answered, and the same NOT_FOUND messages as before; ListBuilds' joined page.
import test from "ava";
import type { KyselyPlugin } from "kysely";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { buildDocument } from "../../../server/api/build-document.js";
import { triggerBuild } from "../../../server/builds/trigger.js";
import { PermissionDeniedError } from "../../../server/errors.js";
import { listBuildsByName, readBuildByName } from "../../../server/store/build-reads.js";
import { setBuildStatus } from "../../../server/store/builds.js";
import type { Store } from "../../../server/store/db.js";
import { insertProject } from "../../../server/store/projects.js";
import { dialects, openTestStore } from "../../support/db.js";
import { PASS_FAIL_YAML } from "../../support/projects.js";
import { triggerDeps } from "../../support/trigger.js";

/** The store seen through a plugin that records when each query is sent ("q") and answered ("a"). */
function recording(store: Store): { store: Store; trace: string[] } {
  const trace: string[] = [];
  const plugin: KyselyPlugin = {
    transformQuery: (args) => { trace.push("q"); return args.node; },
    transformResult: async (args) => { trace.push("a"); return args.result; },
  };
  return { store: { ...store, db: store.db.withPlugin(plugin) }, trace };
}

for (const dialect of dialects) {
  test(`${dialect}: GetBuild's document is read in one round trip, with runs and events in order`, async (t) => {
    const store = await openTestStore(t, dialect);
    await insertProject(store.db, "p", PASS_FAIL_YAML, Date.now());
    const deps = triggerDeps(store);
    await triggerBuild(deps, { project: "p", triggerName: "ci", params: {}, reason: "one" });
    await triggerBuild(deps, { project: "p", triggerName: "ci", params: { A: "1" }, reason: "two" });
    const seen: unknown[] = [];
    const { store: rec, trace } = recording(store);
    const doc = await buildDocument(rec, "p", 2, (p) => seen.push(p));
    t.is(doc.number, 2);
    t.is(doc.reason, "two");
    t.deepEqual(doc.params, { A: "1" });
    t.deepEqual(doc.runs.map((r) => r.name), ["good", "bad"]);
    t.true(doc.runs.every((r) => r.buildNumber === 2 && r.project === "p"));
    t.deepEqual(doc.statusEvents.map((e) => e.status), [Status.QUEUED]);
    t.deepEqual(seen, [{ id: 1, name: "p", public: 0 }]);
    // MariaDB reads the build, its events and its runs in one statement, SQLite in three.
    const n = store.caps.joinsCostMore ? 3 : 1;
    t.deepEqual(trace, [...Array(n).fill("q"), ...Array(n).fill("a")], `${n} queries, all sent before the first answer`);
  });

  test(`${dialect}: GetBuild's document: access first, then which part is missing`, async (t) => {
    const store = await openTestStore(t, dialect);
    await insertProject(store.db, "p", PASS_FAIL_YAML, Date.now());
    await triggerBuild(triggerDeps(store), { project: "p", triggerName: "ci", params: {}, reason: "" });
    const deny = () => { throw new PermissionDeniedError("no"); };
    await t.throwsAsync(buildDocument(store, "p", 1, deny), { name: "PermissionDeniedError" });
    await t.throwsAsync(buildDocument(store, "p", 9, deny), { name: "PermissionDeniedError" });
    const seen: unknown[] = [];
    await t.throwsAsync(buildDocument(store, "p", 9, (p) => seen.push(p)), { name: "NotFoundError", message: "build p#9 not found" });
    await t.throwsAsync(buildDocument(store, "nope", 1, (p) => seen.push(p)), { name: "NotFoundError", message: 'project "nope" not found' });
    t.deepEqual(seen, [{ id: 1, name: "p", public: 0 }, undefined]);
  });

  test(`${dialect}: a build read by name is the same by joins and by subqueries (caps.joinsCostMore)`, async (t) => {
    const store = await openTestStore(t, dialect);
    await insertProject(store.db, "p", PASS_FAIL_YAML, Date.now());
    await insertProject(store.db, "q", PASS_FAIL_YAML, Date.now());
    const deps = triggerDeps(store);
    const built = [];
    for (const project of ["q", "p", "q", "p"]) built.push(await triggerBuild(deps, { project, triggerName: "ci", params: {}, reason: project }));
    // p#2 goes on to RUNNING and PASSED: three events, in order, whichever form reads them.
    await setBuildStatus(store.db, built[3]!.buildId, Status.QUEUED, Status.RUNNING, Date.now() + 1, false);
    await setBuildStatus(store.db, built[3]!.buildId, Status.RUNNING, Status.PASSED, Date.now() + 2, true);
    const forms = [store.caps, { ...store.caps, joinsCostMore: !store.caps.joinsCostMore }];
    for (const [project, number] of [["p", 2], ["q", 1], ["p", 3], ["nope", 1]] as const) {
      const [a, b] = await Promise.all(forms.map((caps) => readBuildByName(store.db, caps, project, number)));
      t.deepEqual(a, b, `${project}#${number}`);
      if (number === 3 || project === "nope") t.deepEqual(a, { found: undefined, runs: [], events: [] });
      else {
        t.is(a!.found?.build.reason, project);
        t.deepEqual(a!.runs.map((r) => r.name), ["good", "bad"]);
        t.deepEqual(a!.events.map((e) => e.status), project === "p" ? [Status.QUEUED, Status.RUNNING, Status.PASSED] : [Status.QUEUED]);
      }
    }
  });

  test(`${dialect}: GetBuild and ListBuilds read no definition YAML, run secrets or token hashes`, async (t) => {
    const store = await openTestStore(t, dialect);
    await insertProject(store.db, "p", PASS_FAIL_YAML, Date.now());
    await triggerBuild(triggerDeps(store), { project: "p", triggerName: "ci", params: {}, reason: "" });
    const sqls: string[] = [];
    const plugin: KyselyPlugin = {
      transformQuery: (args) => { sqls.push(store.db.getExecutor().compileQuery(args.node, args.queryId).sql); return args.node; },
      transformResult: async (args) => args.result,
    };
    const rec = { ...store, db: store.db.withPlugin(plugin) };
    const doc = await buildDocument(rec, "p", 1, () => {});
    t.is(doc.runs.length, 2);
    t.is((await listBuildsByName(rec.db, "p", 9, 10)).builds.length, 1);
    t.is(sqls.length, store.caps.joinsCostMore ? 4 : 2);
    for (const q of sqls) t.notRegex(q, /definition_yaml|secrets_enc|token_hash|\.\*|select \*/i, q);
  });

  test(`${dialect}: ListBuilds' page is one query joined with its project`, async (t) => {
    const store = await openTestStore(t, dialect);
    await insertProject(store.db, "p", PASS_FAIL_YAML, Date.now());
    await insertProject(store.db, "q", PASS_FAIL_YAML, Date.now());
    const deps = triggerDeps(store);
    for (let i = 0; i < 3; i++) await triggerBuild(deps, { project: "p", triggerName: "ci", params: {}, reason: "" });
    await triggerBuild(deps, { project: "q", triggerName: "ci", params: {}, reason: "" });
    const { store: rec, trace } = recording(store);
    const page = await listBuildsByName(rec.db, "p", 3, 10);
    t.deepEqual(page.builds.map((b) => b.number), [2, 1]);
    t.false("project_name" in page.builds[0]!);
    t.deepEqual(page.project, { id: 1, name: "p", public: 0 });
    t.deepEqual(trace, ["q", "a"]);
    t.deepEqual(await listBuildsByName(store.db, "q", 1, 10), { builds: [], project: undefined });
  });
}
