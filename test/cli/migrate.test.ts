// Migrations as an operator runs them, on both dialects: `jobserv migrate
// --check` (exit 1 while any is pending, 0 after), `jobserv migrate`; a
// server started with JOBSERV_MIGRATE=off refuses a store with pending
// migrations in one line; a store migrated by a newer version (a migration
// this version does not know) is used as it is — what a rolling upgrade needs
// from the older instances still running.
import { execFile } from "node:child_process";
import path from "node:path";
import test from "ava";
import { sql } from "kysely";
import { openStore } from "../../server/store/db.js";
import { migrations } from "../../server/store/migrations/index.js";
import { dialects, freshDatabaseUrl } from "../support/db.js";
import { ServerProcess, freePort } from "../support/server-process.js";
import { TEST_SECRETS_KEY } from "../support/server.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const CLI = path.join(ROOT, "cli/jobserv.js");

interface Result { code: number; stdout: string; stderr: string }

function jobserv(env: Record<string, string>, ...args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, env: { PATH: process.env["PATH"], JOBSERV_SECRETS_KEY: TEST_SECRETS_KEY, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

const known = Object.keys(migrations).length;

for (const dialect of dialects) {
  test(`${dialect}: migrate --check, migrate, JOBSERV_MIGRATE=off, and a newer schema`, async (t) => {
    const db = await freshDatabaseUrl(t, dialect);
    const env = { JOBSERV_DATABASE: db };

    const before = await jobserv(env, "migrate", "--check");
    t.is(before.code, 1, before.stderr);
    t.regex(before.stdout, new RegExp(`${known} pending: 2026_11_25_0001_initial, `));
    t.notRegex(before.stdout, /jobserv:jobserv@/, "no password in the output");

    const refused = await jobserv({ ...env, JOBSERV_MIGRATE: "off", JOBSERV_PORT: String(await freePort()) }, "server");
    t.is(refused.code, 1);
    t.regex(refused.stderr, /^jobserv server: the store lacks \d+ migration\(s\) of this version .*run `jobserv migrate` first/);
    t.is(refused.stderr.trim().split("\n").length, 1, `one line, no stack trace: ${refused.stderr}`);

    const applied = await jobserv(env, "migrate");
    t.is(applied.code, 0, applied.stderr);
    t.regex(applied.stdout, /applied 2026_11_25_0001_initial, /);
    const after = await jobserv(env, "migrate", "--check");
    t.is(after.code, 0);
    t.regex(after.stdout, new RegExp(`up to date \\(${known} applied\\)`));
    t.regex((await jobserv(env, "migrate")).stdout, /nothing to apply/);

    // A newer version ran an (additive) migration this one does not know.
    const store = await openStore(db, undefined, { migrate: false });
    await sql`insert into kysely_migration (name, timestamp) values ('2099_01_01_0000_future', '2099-01-01T00:00:00.000Z')`.execute(store.db);
    await store.close();
    const newer = await jobserv(env, "migrate", "--check");
    t.is(newer.code, 0);
    t.regex(newer.stdout, /up to date .*1 newer migration\(s\) this version does not know: 2099_01_01_0000_future/);
    const server = await ServerProcess.start(t, db, { JOBSERV_MIGRATE: "off", JOBSERV_LOG_LEVEL: "info" });
    t.regex(server.output(), /migrated by a newer version; running on its \(additive\) schema/);
    t.is((await fetch(`${server.url}/readyz`)).status, 200);
  });
}
