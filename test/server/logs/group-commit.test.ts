// Log appends of concurrent runs share commits (group commit): many runs
// appending at once take fewer transactions than appends, each caller gets
// its own answer (committed length, resend, gap), and every byte reads back
// in order. An append whose run is gone fails alone. On both dialects.
import test from "ava";
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from "kysely";
import { triggerBuild } from "../../../server/builds/trigger.js";
import { LogGapError } from "../../../server/errors.js";
import { LogStore } from "../../../server/logs/log-store.js";
import type { Store } from "../../../server/store/db.js";
import { insertProject } from "../../../server/store/projects.js";
import { dialects, openTestStore } from "../../support/db.js";
import { loopRunsYaml } from "../../support/projects.js";
import { triggerDeps } from "../../support/trigger.js";

const RUNS = 12;

/** Counts INSERTs into log_chunks made through Kysely (the SQLite path). */
class ChunkInserts implements KyselyPlugin {
  count = 0;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const n = args.node;
    if (n.kind === "InsertQueryNode" && n.into?.table.identifier.name === "log_chunks") this.count++;
    return n;
  }
  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

async function readAll(logs: LogStore, runId: number): Promise<string> {
  let out = "";
  for await (const item of logs.tail(runId, 0, false, async () => true, new AbortController().signal)) out += Buffer.from(item.data).toString();
  return out;
}

for (const dialect of dialects) {
  test(`${dialect}: concurrent runs' appends share commits, each answered right, nothing lost`, async (t) => {
    const base = await openTestStore(t, dialect);
    const inserts = new ChunkInserts();
    const store: Store = { ...base, db: base.db.withPlugin(inserts) };
    // Commits on MySQL: one multi-row INSERT INTO log_chunks per commit, over
    // the connection the appends keep (counted at the driver, below Kysely).
    let commits = 0;
    const counted = new WeakSet<object>();
    base.mysqlPool?.on("acquire", (conn) => {
      if (counted.has(conn)) return;
      counted.add(conn);
      const execute = conn.execute.bind(conn) as (...a: unknown[]) => unknown;
      (conn as unknown as { execute: (...a: unknown[]) => unknown }).execute = (...a: unknown[]) => {
        const text = typeof a[0] === "string" ? a[0] : (a[0] as { sql?: string }).sql ?? "";
        if (text.startsWith("INSERT INTO log_chunks")) commits++;
        return execute(...a);
      };
    });
    await insertProject(store.db, "p", loopRunsYaml(Array.from({ length: RUNS }, (_, i) => i), { trigger: "ci" }), Date.now());
    await triggerBuild(triggerDeps(store), { project: "p", triggerName: "ci", params: {}, reason: "" });
    const ids = (await store.db.selectFrom("runs").select("id").orderBy("id").execute()).map((r) => r.id);
    t.is(ids.length, RUNS);
    const logs = new LogStore(store);
    const line = (id: number, n: number) => Buffer.from(`run ${id} line ${n}\n`);

    const rounds = 5;
    const expected = new Map(ids.map((id) => [id, ""]));
    for (let n = 0; n < rounds; n++) {
      inserts.count = 0;
      commits = 0;
      const ends = await Promise.all(ids.map((id) => logs.append(id, expected.get(id)!.length, line(id, n))));
      for (const [i, id] of ids.entries()) {
        expected.set(id, expected.get(id)! + line(id, n).toString());
        t.is(ends[i], expected.get(id)!.length, `run ${id} round ${n}`);
      }
      if (dialect === "sqlite") t.is(inserts.count, 1, `round ${n}: ${RUNS} appends in one turn, one INSERT`);
      else t.true(commits >= 1 && commits <= 2, `round ${n}: ${RUNS} appends, ${commits} commits (the first alone, the rest gathered while it committed)`);
    }

    // In one group: a resend, a gap, a racing duplicate and plain appends, each answered for itself.
    const [a, b, c, d] = ids as [number, number, number, number];
    const sizeOf = (id: number) => expected.get(id)!.length;
    const mixed = await Promise.allSettled([
      logs.append(a, 0, line(a, 0)),
      logs.append(b, sizeOf(b) + 5, Buffer.from("x")),
      logs.append(c, sizeOf(c), Buffer.from("same\n")),
      logs.append(c, sizeOf(c), Buffer.from("same\n")),
      logs.append(d, sizeOf(d), Buffer.from("tail\n")),
    ]);
    t.deepEqual(mixed[0], { status: "fulfilled", value: sizeOf(a) }, "a resend is acknowledged at the committed length");
    t.true(mixed[1]!.status === "rejected" && mixed[1].reason instanceof LogGapError && mixed[1].reason.committed === sizeOf(b), "a gap is refused with the committed length");
    t.deepEqual([mixed[2], mixed[3]], [{ status: "fulfilled", value: sizeOf(c) + 5 }, { status: "fulfilled", value: sizeOf(c) + 5 }], "racing duplicates store the bytes once");
    t.deepEqual(mixed[4], { status: "fulfilled", value: sizeOf(d) + 5 });
    expected.set(c, expected.get(c) + "same\n");
    expected.set(d, expected.get(d) + "tail\n");

    // A run deleted under its appender: that append fails, the others in its group commit.
    const gone = ids[RUNS - 1]!;
    await store.db.deleteFrom("log_chunks").where("run_id", "=", gone).execute();
    await store.db.deleteFrom("run_events").where("run_id", "=", gone).execute();
    await store.db.deleteFrom("runs").where("id", "=", gone).execute();
    const last = await Promise.allSettled(ids.map((id) => logs.append(id, id === gone ? 0 : sizeOf(id), Buffer.from("end\n"))));
    for (const [i, id] of ids.entries()) {
      if (id === gone) { t.is(last[i]!.status, "rejected"); continue; }
      expected.set(id, expected.get(id) + "end\n");
      t.deepEqual(last[i], { status: "fulfilled", value: sizeOf(id) }, `run ${id}`);
    }

    for (const id of ids) if (id !== gone) t.is(await readAll(logs, id), expected.get(id)!, `run ${id} reads back byte for byte`);
  });
}
