// A worker's PASSED for a run without tests is one compare-and-set UPDATE
// that checks for tests itself (no separate read of the run's tests first);
// a run with tests still goes the long way: an open test keeps it RUNNING
// (its worker done), complete tests let it pass. On both dialects.
import test from "ava";
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from "kysely";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { triggerBuild } from "../../../server/builds/trigger.js";
import type { Store } from "../../../server/store/db.js";
import { insertProject } from "../../../server/store/projects.js";
import { findRunById } from "../../../server/store/runs.js";
import { insertExternalTest } from "../../../server/store/tests.js";
import { dialects, openTestStore } from "../../support/db.js";
import { loopRunsYaml } from "../../support/projects.js";
import { triggerDeps } from "../../support/trigger.js";

/** Records the root table of every SELECT and UPDATE run through the store it wraps. */
class Statements implements KyselyPlugin {
  seen: string[] = [];
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const n = args.node;
    const table = (x: unknown) => (x as { table?: { identifier?: { name?: string } } } | undefined)?.table?.identifier?.name ?? "?";
    if (n.kind === "SelectQueryNode") this.seen.push(`select ${table(n.from?.froms[0])}`);
    if (n.kind === "UpdateQueryNode") this.seen.push(`update ${table(n.table)}`);
    return n;
  }
  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

for (const dialect of dialects) {
  test(`${dialect}: PASSED of a run without tests reads no tests; runs with tests still wait for them`, async (t) => {
    const base = await openTestStore(t, dialect);
    const log = new Statements();
    const store: Store = { db: base.db.withPlugin(log), caps: base.caps, close: () => base.close() };
    await insertProject(store.db, "p", loopRunsYaml([0, 1, 2], { trigger: "ci", hostTag: "amd64" }), Date.now());
    const deps = triggerDeps(store);
    await triggerBuild(deps, { project: "p", triggerName: "ci", params: {}, reason: "" });
    const [plain, open, done] = await deps.lifecycle.claim("w", ["amd64"], 3);
    await deps.lifecycle.assigned("w", [plain!, open!, done!]);
    const now = Date.now();
    await insertExternalTest(store.db, open!.id, { name: "t", context: "", status: Status.RUNNING, results: [] }, now);
    await insertExternalTest(store.db, done!.id, { name: "t", context: "", status: Status.PASSED, results: [] }, now);

    log.seen = [];
    await deps.lifecycle.workerReport((await findRunById(base.db, plain!.id))!, Status.PASSED, "exit code 0");
    t.false(log.seen.includes("select tests"), `statements: ${log.seen.join(", ")}`);
    t.is(log.seen.filter((s) => s === "update runs").length, 1);
    t.is((await findRunById(base.db, plain!.id))!.status, Status.PASSED);

    await deps.lifecycle.workerReport((await findRunById(base.db, open!.id))!, Status.PASSED, "exit code 0");
    const held = (await findRunById(base.db, open!.id))!;
    t.is(held.status, Status.RUNNING, "an open test keeps the run RUNNING");
    t.is(held.worker_done, Status.PASSED);

    await deps.lifecycle.workerReport((await findRunById(base.db, done!.id))!, Status.FAILED, "exit code 1");
    t.is((await findRunById(base.db, done!.id))!.status, Status.FAILED, "complete tests: the worker's verdict ends the run");
  });
}
