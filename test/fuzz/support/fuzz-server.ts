// The server a fuzz test runs against: a real server process on a fresh
// SQLite store (JOBSERV_FUZZ_DIALECT=mysql for MariaDB), its log at info (its
// "listening" line is the readiness signal; refused inputs are not errors, so
// they do not flood the output), and a Connect JSON call helper over HTTP/1.1.
import type { ExecutionContext } from "ava";
import { adminHeaders } from "../../support/auth.js";
import { freshDatabaseUrl, type Dialect } from "../../support/db.js";
import { ServerProcess } from "../../support/server-process.js";

export async function startFuzzServer(t: ExecutionContext, env: Record<string, string> = {}): Promise<ServerProcess> {
  const dialect: Dialect = process.env["JOBSERV_FUZZ_DIALECT"] === "mysql" ? "mysql" : "sqlite";
  return ServerProcess.start(t, await freshDatabaseUrl(t, dialect), { JOBSERV_LOG_LEVEL: "info", ...env });
}

/** POSTs a Connect unary call as JSON (`body` sent as is when a string or bytes). */
export function connectJson(url: string, method: string, body: unknown, headers: Record<string, string> = adminHeaders): Promise<Response> {
  const payload = typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body);
  return fetch(`${url}/${method}`, {
    method: "POST", body: payload, signal: AbortSignal.timeout(10_000),
    headers: { "content-type": "application/json", "connect-protocol-version": "1", ...headers },
  });
}
