// The embedded store's WAL checkpoints on a worker thread (server/store/sqlite-checkpointer.ts),
// with a real store file: appends far below the store connection's own
// threshold still reach the database file (the thread copied them there),
// every byte reads back after close and reopen, and close waits for the
// thread (the WAL is gone afterwards: the last connection checkpointed it).
import { existsSync, statSync } from "node:fs";
import test from "ava";
import { triggerBuild } from "../../../server/builds/trigger.js";
import { LogStore } from "../../../server/logs/log-store.js";
import { openStore } from "../../../server/store/db.js";
import { insertProject } from "../../../server/store/projects.js";
import { freshDatabaseUrl } from "../../support/db.js";
import { PASS_FAIL_YAML } from "../../support/projects.js";
import { triggerDeps } from "../../support/trigger.js";

const CHUNK = Buffer.alloc(64 * 1024, "checkpointed log line\n");
const CHUNKS = 32; // 2 MiB: about 520 pages, far below the store connection's 10 000

async function readAll(logs: LogStore, runId: number): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const item of logs.tail(runId, 0, false, async () => true, new AbortController().signal)) parts.push(item.data);
  return Buffer.concat(parts);
}

test("sqlite: the WAL reaches the database file off the event loop; nothing lost across close and reopen", async (t) => {
  const url = await freshDatabaseUrl(t, "sqlite");
  const file = url.replace(/^sqlite:/, "");
  const store = await openStore(url);
  await insertProject(store.db, "p", PASS_FAIL_YAML, Date.now());
  await triggerBuild(triggerDeps(store), { project: "p", triggerName: "ci", params: {}, reason: "" });
  const run = await store.db.selectFrom("runs").select("id").orderBy("id").executeTakeFirstOrThrow();
  const before = statSync(file).size;
  const logs = new LogStore(store);
  for (let i = 0; i < CHUNKS; i++) t.is(await logs.append(run.id, i * CHUNK.length, CHUNK), (i + 1) * CHUNK.length);

  const deadline = Date.now() + 10_000;
  while (statSync(file).size < before + CHUNKS * CHUNK.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.true(statSync(file).size >= before + CHUNKS * CHUNK.length, `database file ${statSync(file).size} bytes: the log was checkpointed into it`);
  t.true((await readAll(logs, run.id)).equals(Buffer.concat(Array.from({ length: CHUNKS }, () => CHUNK))));

  await store.close();
  t.false(existsSync(`${file}-wal`), "close waited for the checkpointer, then the last connection removed the WAL");
  const again = await openStore(url);
  t.teardown(() => again.close());
  t.true((await readAll(new LogStore(again), run.id)).equals(Buffer.concat(Array.from({ length: CHUNKS }, () => CHUNK))), "every byte after reopening");
});
