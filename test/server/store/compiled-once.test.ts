// Queries compiled once (server/store/compiled-once.ts), on both dialects:
// every call's values reach their own parameter positions (constants the
// builder parameterised between them keep theirs), the answers equal the
// ordinary builder's, the query is compiled once per store and not per call,
// and a store seen through a plugin is still served through the plugin.
import test from "ava";
import type { KyselyPlugin } from "kysely";
import { compiledOnce } from "../../../server/store/compiled-once.js";
import { insertProject } from "../../../server/store/projects.js";
import { dialects, openTestStore } from "../../support/db.js";
import { PASS_FAIL_YAML } from "../../support/projects.js";

for (const dialect of dialects) {
  test(`${dialect}: a query compiled once binds each call's values where the builder put them`, async (t) => {
    const store = await openTestStore(t, dialect);
    for (const [name, pub] of [["alpha", 0], ["beta", 1], ["gamma", 1], ["delta", 0]] as const) {
      await insertProject(store.db, name, PASS_FAIL_YAML, Date.now(), pub === 1);
    }
    let builds = 0;
    // A constant (public = 1) sits between the two arguments in the parameter list.
    const query = compiledOnce((db, a: { after: string; limit: number }) => {
      builds++;
      return db.selectFrom("projects").select(["name", "public"]).where("name", ">", a.after).where("public", "=", 1).orderBy("name").limit(a.limit);
    });
    const ordinary = (after: string, limit: number) => store.db.selectFrom("projects").select(["name", "public"])
      .where("name", ">", after).where("public", "=", 1).orderBy("name").limit(limit).execute();
    for (const [after, limit] of [["a", 5], ["b", 1], ["beta", 5], ["h", 5], ["", 1]] as const) {
      t.deepEqual(await query.all(store.db, { after, limit }), await ordinary(after, limit), `after ${after}, limit ${limit}`);
    }
    t.deepEqual(await query.first(store.db, { after: "c", limit: 9 }), { name: "gamma", public: 1 });
    t.is(await query.first(store.db, { after: "z", limit: 9 }), undefined);
    t.is(builds, 1, "built and compiled once for all seven calls");

    const seen: string[] = [];
    const plugin: KyselyPlugin = {
      transformQuery: (args) => { seen.push(args.node.kind); return args.node; },
      transformResult: async (args) => args.result,
    };
    t.deepEqual(await query.all(store.db.withPlugin(plugin), { after: "a", limit: 1 }), [{ name: "beta", public: 1 }]);
    t.deepEqual(seen, ["SelectQueryNode"], "the plugin saw the query");
    t.is(builds, 2, "a store with plugins is served by the ordinary builder");
  });
}

test("each store compiles its own: the same query on SQLite and MariaDB at once", async (t) => {
  const [lite, maria] = await Promise.all(dialects.map((d) => openTestStore(t, d)));
  const query = compiledOnce((db, a: { name: string }) => db.selectFrom("projects").select("name").where("name", "=", a.name));
  for (const store of [lite!, maria!]) await insertProject(store.db, "p", PASS_FAIL_YAML, Date.now());
  t.deepEqual(await query.first(lite!.db, { name: "p" }), { name: "p" });
  t.deepEqual(await query.first(maria!.db, { name: "p" }), { name: "p" });
  t.deepEqual(await query.first(lite!.db, { name: "q" }), undefined);
});

for (const dialect of dialects) {
  test(`${dialect}: an UPDATE and an INSERT compiled once report their affected rows and insert id`, async (t) => {
    const store = await openTestStore(t, dialect);
    const project = await insertProject(store.db, "p", PASS_FAIL_YAML, Date.now());
    const rename = compiledOnce((db, a: { id: number; from: string; to: string }) =>
      db.updateTable("projects").set({ name: a.to }).where("id", "=", a.id).where("name", "=", a.from));
    const add = compiledOnce((db, a: { name: string; now: number }) => db.insertInto("projects")
      .values({ name: a.name, definition_yaml: "", last_build_number: 0, public: 0, synchronous_builds: 0, created_at: a.now, updated_at: a.now }));
    t.is(Number((await rename.execute(store.db, { id: project.id, from: "p", to: "q" })).numAffectedRows), 1);
    t.is(Number((await rename.execute(store.db, { id: project.id, from: "p", to: "r" })).numAffectedRows), 0, "the compare-and-set lost: no row changed");
    const added = await add.execute(store.db, { name: "s", now: 5 });
    const row = await store.db.selectFrom("projects").select(["id", "name", "created_at"]).where("name", "=", "s").executeTakeFirstOrThrow();
    t.is(Number(added.insertId), row.id);
    t.is(row.created_at, 5);
    t.deepEqual((await store.db.selectFrom("projects").select("name").orderBy("name").execute()).map((r) => r.name), ["q", "s"]);
  });
}
