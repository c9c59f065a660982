// A server started before its database waits for it: one clear log line (no
// stack trace, no password), retries with back-off, and serves once the
// database answers. With JOBSERV_STORE_WAIT_MS it gives up after that long,
// exiting 1 with one line. The database "appears" when a forwarder to the
// test MariaDB starts listening on the port the server was given.
import { execFile } from "node:child_process";
import net from "node:net";
import path from "node:path";
import test from "ava";
import { eventually } from "../support/clients.js";
import { freshDatabaseUrl } from "../support/db.js";
import { ServerProcess, START_CEILING_MS, freePort } from "../support/server-process.js";
import { TEST_SECRETS_KEY } from "../support/server.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** Listens on `port` and forwards each connection to `target` (the real database). */
function forward(port: number, target: number): Promise<{ close(): Promise<void> }> {
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target, "127.0.0.1");
    for (const s of [client, upstream]) { open.add(s); s.once("close", () => open.delete(s)); }
    client.pipe(upstream).pipe(client);
    const end = () => { client.destroy(); upstream.destroy(); };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  const close = () => new Promise<void>((resolve) => {
    for (const s of open) s.destroy();
    server.close(() => resolve());
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve({ close })));
}

test("the server waits for an unreachable database with one log line, then serves", async (t) => {
  const real = new URL(await freshDatabaseUrl(t, "mysql"));
  const port = await freePort();
  const unreachable = `mysql://${real.username}:${real.password}@127.0.0.1:${port}${real.pathname}`;
  const server = new ServerProcess(unreachable, 0, { JOBSERV_LOG_LEVEL: "info" });
  t.teardown(() => server.kill());
  const started = server.start();
  const waiting = await eventually(async () => {
    const lines = server.output().split("\n").filter((l) => l.includes("store unreachable"));
    return lines.length ? lines : undefined;
  }, START_CEILING_MS, "the waiting line");
  t.is(waiting.length, 1);
  const line = JSON.parse(waiting[0]!) as { level: number; msg: string; store: string; reason: string };
  t.is(line.reason, "ECONNREFUSED");
  t.is(line.store, `mysql://${real.username}:***@127.0.0.1:${port}${real.pathname}`, "the password is not logged");
  t.regex(line.msg, /waiting for it, retrying with back-off/);

  const db = await forward(port, Number(real.port || 3306));
  t.teardown(() => db.close());
  await started;
  t.is((await fetch(`${server.url}/readyz`)).status, 200);
  const out = server.output();
  t.is(out.split("\n").filter((l) => l.includes("store unreachable")).length, 1, "one waiting line, however many retries");
  t.regex(out, /"msg":"store reachable"/);
  t.notRegex(out, /\n\s+at /, "no stack trace");
});

test("with JOBSERV_STORE_WAIT_MS the server gives up: exit 1, one line", async (t) => {
  const port = await freePort();
  const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    execFile(process.execPath, [path.join(ROOT, "cli/jobserv.js"), "server"], {
      cwd: ROOT,
      env: { PATH: process.env["PATH"], JOBSERV_DATABASE: `mysql://u:secret@127.0.0.1:${port}/x`, JOBSERV_STORE_WAIT_MS: "1500",
        JOBSERV_PORT: "0", JOBSERV_SECRETS_KEY: TEST_SECRETS_KEY, JOBSERV_LOG_LEVEL: "silent" },
    }, (err, _stdout, stderr) => resolve({ code: err ? (err.code as number) : 0, stderr }));
  });
  t.is(result.code, 1);
  t.regex(result.stderr, /^jobserv server: store mysql:\/\/u:\*\*\*@127\.0\.0\.1:\d+\/x unreachable for \d s \(ECONNREFUSED\); giving up/);
  t.is(result.stderr.trim().split("\n").length, 1);
});
