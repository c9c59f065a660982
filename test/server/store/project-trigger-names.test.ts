// Trigger names for GetProject/ListProjects come from the store, never from parsing the definition:
// in definition order once applied (syncTriggers), from the trigger rows for projects applied before
// the trigger_names column existed (both dialects).
import test from "ava";
import { insertProject, projectTriggerNames, syncTriggers } from "../../../server/store/projects.js";
import { dialects, openTestStore } from "../../support/db.js";
import { PASS_FAIL_YAML } from "../../support/projects.js";

const triggers = (...names: string[]) => names.map((name) => ({ name, type: "simple", queuePriority: 0 }));

for (const dialect of dialects) {
  test(`${dialect}: trigger names in definition order, written when applied; older rows fall back to the trigger rows`, async (t) => {
    const store = await openTestStore(t, dialect);
    const a = await insertProject(store.db, "a", PASS_FAIL_YAML, Date.now());
    const b = await insertProject(store.db, "b", PASS_FAIL_YAML, Date.now());
    const c = await insertProject(store.db, "c", PASS_FAIL_YAML, Date.now());
    await syncTriggers(store.db, a.id, triggers("zeta", "alpha"));
    await syncTriggers(store.db, a.id, triggers("beta", "zeta", "alpha")); // reordered: rows keep their ids
    await syncTriggers(store.db, b.id, triggers("one", "two"));
    await store.db.updateTable("projects").set({ trigger_names: null }).where("id", "=", b.id).execute(); // as before the migration
    const rows = await store.db.selectFrom("projects").selectAll().orderBy("name").execute();
    const names = await projectTriggerNames(store.db, rows);
    t.deepEqual(names.get(a.id), ["beta", "zeta", "alpha"]);
    t.deepEqual(names.get(b.id), ["one", "two"]);
    t.deepEqual(names.get(c.id), []);
  });
}
