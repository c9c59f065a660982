// A trigger's reads before its transaction are one statement: the project with
// the row of the trigger the request names (findProjectWithTrigger), which the
// trigger uses instead of reading them again, but only for the trigger it
// actually builds (both dialects).
import test from "ava";
import { triggerBuild } from "../../../server/builds/trigger.js";
import { findProjectByName, findProjectWithTrigger, insertProject, setTriggerSecretsEnc, syncTriggers } from "../../../server/store/projects.js";
import { dialects, openTestStore } from "../../support/db.js";
import { PASS_FAIL_YAML } from "../../support/projects.js";
import { triggerDeps } from "../../support/trigger.js";

for (const dialect of dialects) {
  test(`${dialect}: the project and its named trigger's row in one read; none for a missing trigger or project`, async (t) => {
    const store = await openTestStore(t, dialect);
    const p = await insertProject(store.db, "p", PASS_FAIL_YAML, Date.now());
    await insertProject(store.db, "other", PASS_FAIL_YAML, Date.now());
    await syncTriggers(store.db, p.id, [{ name: "ci", type: "simple", queuePriority: 0 }, { name: "nightly", type: "simple", queuePriority: 0 }]);
    const ci = await store.db.selectFrom("project_triggers").select("id").where("project_id", "=", p.id).where("name", "=", "ci").executeTakeFirstOrThrow();
    await setTriggerSecretsEnc(store.db, ci.id, "sealed-ci");

    const found = await findProjectWithTrigger(store.db, "p", "ci");
    const row = await findProjectByName(store.db, "p");
    t.deepEqual(found?.project, row, "the whole project row");
    t.deepEqual(found?.trigger, { name: "ci", row: { id: ci.id, secrets_enc: "sealed-ci" } });
    const missing = await findProjectWithTrigger(store.db, "p", "no-such");
    t.deepEqual(missing?.project, row, "the project without a trigger row of that name");
    t.deepEqual(missing?.trigger, { name: "no-such", row: undefined });
    t.is((await findProjectWithTrigger(store.db, "other", "ci"))?.trigger.row, undefined, "another project's trigger rows are not its");
    t.is(await findProjectWithTrigger(store.db, "nope", "ci"), undefined);
  });

  test(`${dialect}: the trigger uses the row read with the project for its trigger only`, async (t) => {
    const store = await openTestStore(t, dialect);
    const deps = triggerDeps(store);
    const p = await insertProject(store.db, "p", PASS_FAIL_YAML, Date.now());
    await syncTriggers(store.db, p.id, [{ name: "ci", type: "simple", queuePriority: 0 }]);
    const ci = await store.db.selectFrom("project_triggers").select("id").where("project_id", "=", p.id).executeTakeFirstOrThrow();
    await setTriggerSecretsEnc(store.db, ci.id, deps.cipher.sealMap({ TOKEN: "from-the-row" }));
    const secretsOfRuns = async (buildId: number) =>
      (await store.db.selectFrom("runs").select("secrets_enc").where("build_id", "=", buildId).execute()).map((r) => deps.cipher.openMap(r.secrets_enc));

    const found = await findProjectWithTrigger(store.db, "p", "ci");
    const named = await triggerBuild(deps, { project: "p", triggerName: "ci", params: {}, reason: "" }, found);
    t.deepEqual(await secretsOfRuns(named.buildId), [{ TOKEN: "from-the-row" }, { TOKEN: "from-the-row" }]);

    // Read for a name the trigger does not build (here: the default trigger, asked without a name): read again.
    const other = { ...(await findProjectWithTrigger(store.db, "p", "")), trigger: { name: "", row: { id: 0, secrets_enc: "not-this" } } };
    const byDefault = await triggerBuild(deps, { project: "p", params: {}, reason: "" }, { project: other.project!, trigger: other.trigger });
    t.deepEqual(await secretsOfRuns(byDefault.buildId), [{ TOKEN: "from-the-row" }, { TOKEN: "from-the-row" }]);
    t.is(byDefault.number, named.number + 1);
  });
}
