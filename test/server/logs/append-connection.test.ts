// MySQL log appends commit over one connection they keep (server/store/log-appends.ts):
// when the server closes it (here: KILL from another session, as a restart or
// wait_timeout would), the next append still commits, on a fresh connection,
// and every byte reads back once, in order. MySQL only: SQLite has no connection to lose.
import test from "ava";
import { sql } from "kysely";
import type { PoolConnection } from "mysql2";
import { triggerBuild } from "../../../server/builds/trigger.js";
import { LogStore } from "../../../server/logs/log-store.js";
import { insertProject } from "../../../server/store/projects.js";
import { openTestStore } from "../../support/db.js";
import { PASS_FAIL_YAML } from "../../support/projects.js";
import { triggerDeps } from "../../support/trigger.js";

test("mysql: an append after the server closed the appends' connection commits on a fresh one, nothing lost or doubled", async (t) => {
  const store = await openTestStore(t, "mysql");
  const acquired: PoolConnection[] = [];
  store.mysqlPool!.on("acquire", (c) => acquired.push(c));
  await insertProject(store.db, "p", PASS_FAIL_YAML, Date.now());
  await triggerBuild(triggerDeps(store), { project: "p", triggerName: "ci", params: {}, reason: "" });
  const run = await store.db.selectFrom("runs").select("id").orderBy("id").executeTakeFirstOrThrow();
  const logs = new LogStore(store);
  const line = (n: number) => Buffer.from(`line ${n}\n`);
  let expected = "";
  const append = async (n: number) => {
    t.is(await logs.append(run.id, expected.length, line(n)), expected.length + line(n).length);
    expected += line(n).toString();
  };

  acquired.length = 0;
  await append(0);
  await append(1);
  t.is(acquired.length, 1, "two appends, one connection taken from the pool");
  const held = acquired[0]!;
  // KILL from a Kysely session: the pool would not hand out the held connection.
  await sql`KILL CONNECTION ${sql.lit(held.threadId)}`.execute(store.db);
  const deadline = Date.now() + 5_000;
  for (;;) {
    const { rows } = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE ID = ${held.threadId}`.execute(store.db);
    if (Number(rows[0]!.n) === 0 || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 20));
  }

  await append(2);
  await append(3);
  t.not(acquired.at(-1), held, "a fresh connection");
  const rows = await store.db.selectFrom("log_chunks").select("data").where("run_id", "=", run.id).orderBy("start_offset").execute();
  t.is(Buffer.concat(rows.map((r) => Buffer.from(r.data))).toString(), expected);
  t.is(expected, "line 0\nline 1\nline 2\nline 3\n");
});
