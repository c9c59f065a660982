// The embedded store's prepared-statement cache (server/store/sqlite-statements.ts)
// with a real better-sqlite3 database: under Kysely a query shape is prepared
// once and answers right every time; a statement mid-iteration is not shared
// with a second query of the same text; the cache stays bounded; a schema
// change after a statement was cached is seen by it.
import BetterSqlite3 from "better-sqlite3";
import test from "ava";
import { Kysely, SqliteDialect, sql } from "kysely";
import { withStatementCache } from "../../../server/store/sqlite-statements.js";

interface Db { items: { id: number; name: string } }

function open(max?: number) {
  const raw = new BetterSqlite3(":memory:");
  const prepared: string[] = [];
  const prepare = raw.prepare.bind(raw);
  raw.prepare = ((text: string) => { prepared.push(text); return prepare(text); }) as typeof raw.prepare;
  const db = new Kysely<Db>({ dialect: new SqliteDialect({ database: withStatementCache(raw, max) }) });
  return { db, prepared };
}

test("one preparation per query shape, right answers every time", async (t) => {
  const { db, prepared } = open();
  t.teardown(() => db.destroy());
  await db.schema.createTable("items").addColumn("id", "integer", (c) => c.primaryKey()).addColumn("name", "text").execute();
  for (let i = 1; i <= 50; i++) await db.insertInto("items").values({ id: i, name: `n${i}` }).execute();
  for (let i = 1; i <= 50; i++) t.is((await db.selectFrom("items").select("name").where("id", "=", i).executeTakeFirst())?.name, `n${i}`);
  const selects = prepared.filter((s) => s.startsWith("select"));
  const inserts = prepared.filter((s) => s.startsWith("insert"));
  t.is(selects.length, 1, "50 selects, one preparation");
  t.is(inserts.length, 1, "50 inserts, one preparation");
});

test("a statement mid-iteration is not handed out again; the cache is bounded", async (t) => {
  const raw = new BetterSqlite3(":memory:");
  t.teardown(() => raw.close());
  raw.exec("create table items (id integer primary key); insert into items values (1), (2), (3)");
  const cache = withStatementCache(raw, 2);
  const text = "select id from items order by id";
  const outer = cache.prepare(text);
  const seen: number[] = [];
  for (const row of outer.iterate([]) as IterableIterator<{ id: number }>) {
    seen.push(row.id);
    // The same SQL while the first statement is still iterating (a streamed query).
    const inner = cache.prepare(text);
    t.not(inner, outer, "a busy statement is not shared");
    t.deepEqual(inner.all([]), [{ id: 1 }, { id: 2 }, { id: 3 }]);
  }
  t.deepEqual(seen, [1, 2, 3]);
  t.is(cache.prepare(text), outer, "once done it is reused");

  const a = cache.prepare("select 1");
  cache.prepare("select 2");
  t.is(cache.prepare("select 2"), cache.prepare("select 2"));
  cache.prepare("select 3");
  t.not(cache.prepare("select 1"), a, "max 2: the least recently used shape was evicted");
});

test("a cached statement sees a later schema change", async (t) => {
  const { db } = open();
  t.teardown(() => db.destroy());
  await db.schema.createTable("items").addColumn("id", "integer", (c) => c.primaryKey()).addColumn("name", "text").execute();
  await db.insertInto("items").values({ id: 1, name: "a" }).execute();
  const all = () => sql<Record<string, unknown>>`select * from items`.execute(db).then((r) => r.rows);
  t.deepEqual(await all(), [{ id: 1, name: "a" }]);
  await sql`alter table items add column extra text default 'x'`.execute(db);
  t.deepEqual(await all(), [{ id: 1, name: "a", extra: "x" }]);
});
