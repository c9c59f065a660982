// Queries compiled once are executed as prepared statements on MariaDB
// (server/store/mysql-statements.ts): on both dialects their answers equal
// the ordinary builder's (text protocol on MariaDB) for strings, TEXT,
// NULL, whole numbers beyond 32 bits, fractions and LIMIT; on MariaDB the
// connection prepared the statement once and executed it for every call,
// and a statement MariaDB refuses fails its call, not the ones after it.
import test from "ava";
import { sql } from "kysely";
import { compiledOnce } from "../../../server/store/compiled-once.js";
import { insertProject } from "../../../server/store/projects.js";
import { dialects, openTestStore } from "../../support/db.js";
import { PASS_FAIL_YAML } from "../../support/projects.js";

const T0 = 1_795_000_000_000; // milliseconds: beyond 32 bits

for (const dialect of dialects) {
  test(`${dialect}: a query compiled once answers as the ordinary builder does, prepared on MariaDB`, async (t) => {
    const store = await openTestStore(t, dialect);
    for (const [i, name] of ["alpha", "beta", "gamma", "delta", "epsilon"].entries()) {
      await insertProject(store.db, name, i % 2 ? PASS_FAIL_YAML : "", T0 + i * 1000, i % 2 === 1);
    }
    await store.db.updateTable("projects").set({ trigger_names: null }).execute();
    const query = compiledOnce((db, a: { after: number; not: string; limit: number }) => db.selectFrom("projects")
      .select(["name", "definition_yaml", "created_at", "public", "trigger_names"])
      .where("created_at", ">", a.after).where("name", "<>", a.not).orderBy("name").limit(a.limit));
    // The same query but for a clause that changes nothing but its text: not registered, so sent as text.
    const ordinary = (db: typeof store.db, a: { after: number; not: string; limit: number }) => db.selectFrom("projects")
      .select(["name", "definition_yaml", "created_at", "public", "trigger_names"])
      .where("created_at", ">", a.after).where("name", "<>", a.not).where(sql<boolean>`1 = 1`).orderBy("name").limit(a.limit).execute();
    const calls = [
      { after: T0, not: "beta", limit: 10 }, // whole numbers beyond 32 bits
      { after: T0 + 1500.5, not: "", limit: 2 }, // a fraction
      { after: 0, not: "gamma", limit: 1 },
      { after: T0 + 10_000, not: "", limit: 5 }, // nothing
    ];
    await store.db.connection().execute(async (conn) => {
      const counters = async () => {
        if (dialect !== "mysql") return { prepared: 0, executed: 0 };
        const { rows } = await sql<{ Variable_name: string; Value: string }>`SHOW SESSION STATUS WHERE Variable_name IN ('Com_stmt_prepare', 'Com_stmt_execute')`.execute(conn);
        const get = (n: string) => Number(rows.find((r) => r.Variable_name === n)?.Value ?? Number.NaN);
        return { prepared: get("Com_stmt_prepare"), executed: get("Com_stmt_execute") };
      };
      const before = await counters();
      for (const a of calls) {
        const got = await query.all(conn, a);
        t.deepEqual(got, await ordinary(conn, a), JSON.stringify(a));
        t.true(got.every((r) => typeof r.created_at === "number" && typeof r.public === "number" && r.trigger_names === null));
      }
      t.deepEqual((await query.all(conn, calls[0]!)).map((r) => r.name), ["delta", "epsilon", "gamma"]);
      const after = await counters();
      if (dialect === "mysql") {
        t.is(after.prepared - before.prepared, 1, "prepared once on this connection");
        t.is(after.executed - before.executed, calls.length + 1, "executed for every call");
      }
    });
  });
}

test("mysql: a prepared statement MariaDB refuses fails its own call only", async (t) => {
  const store = await openTestStore(t, "mysql");
  await insertProject(store.db, "p", PASS_FAIL_YAML, T0);
  const query = compiledOnce((db, a: { name: string }) => db.selectFrom("projects").select("name").where("name", "=", a.name));
  t.deepEqual(await query.first(store.db, { name: "p" }), { name: "p" });
  // The table goes away under the prepared statement, then comes back empty.
  await sql`RENAME TABLE projects TO projects_gone`.execute(store.db);
  await t.throwsAsync(query.first(store.db, { name: "p" }), { message: /projects/ });
  await sql`RENAME TABLE projects_gone TO projects`.execute(store.db);
  t.deepEqual(await query.first(store.db, { name: "p" }), { name: "p" }, "the next call is served again");
});
