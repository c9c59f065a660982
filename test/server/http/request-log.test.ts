// Structured logs: every RPC carries a request id (the caller's x-request-id
// or a new one) in its response, and the server's JSON log lines name it.
import test from "ava";
import { adminHeaders } from "../../support/auth.js";
import { eventually } from "../../support/clients.js";
import { freshDatabaseUrl } from "../../support/db.js";
import { ServerProcess } from "../../support/server-process.js";

test("request ids are echoed and appear in the server's JSON log lines", async (t) => {
  const server = await ServerProcess.start(t, await freshDatabaseUrl(t, "sqlite"), { JOBSERV_LOG_LEVEL: "debug" });
  const call = (id?: string) => fetch(`${server.url}/jobserv.v1.ProjectService/GetProject`, {
    method: "POST", body: JSON.stringify({ name: "nope" }),
    headers: { "content-type": "application/json", ...adminHeaders, ...(id ? { "x-request-id": id } : {}) },
  });
  const given = await call("req-4242");
  t.is(given.status, 404);
  t.is(given.headers.get("x-request-id"), "req-4242", "the caller's id is echoed");
  const generated = (await call()).headers.get("x-request-id") ?? "";
  t.regex(generated, /^[0-9a-f-]{36}$/, "a new id when none was given");

  const logLines = () => server.output().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
  // The line is written after the response went out: wait for it.
  const mine = await eventually(async () => logLines().find((l) => l["reqId"] === "req-4242"), 5_000, () => server.output());
  const lines = await eventually(async () => (logLines().some((l) => l["reqId"] === generated) ? logLines() : undefined), 5_000, () => server.output());
  t.is(mine!["rpc"], "jobserv.v1.ProjectService/GetProject");
  t.is(mine!["code"], "NotFound");
  t.is(typeof mine!["ms"], "number");
  t.true(lines.length >= 2);
});
