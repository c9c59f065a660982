// REST routes for what is HTTP by nature, served as the Connect adapter's
// fallback: health, raw console logs and run definitions as JSON.
import type http from "node:http";
import { fromJsonString, toJsonString } from "@bufbuild/protobuf";
import { RunDefinitionSchema } from "../../gen/jobserv/v1/run_definition_pb.js";
import { resolveRun } from "../builds/lookup.js";
import { isComplete } from "../builds/status.js";
import { NotFoundError } from "../errors.js";
import type { LogStore } from "../logs/log-store.js";
import type { Store } from "../store/db.js";
import { findRunById } from "../store/runs.js";

// HTTP/2 compatibility-API requests have the same shape for what we use.
type Req = http.IncomingMessage;
type Res = http.ServerResponse;

export interface GatewayDeps { store: Store; logs: LogStore }

const RUN_FILE = /^\/projects\/([^/]+)\/builds\/(\d+)\/runs\/([^/]+)\/(console\.log|\.rundef\.json)$/;

export function createGateway(deps: GatewayDeps): (req: Req, res: Res) => void {
  return (req, res) => {
    handle(deps, req, res).catch((e: unknown) => {
      const status = e instanceof NotFoundError ? 404 : 500;
      if (status === 500) console.error("gateway error:", e);
      if (!res.headersSent) send(res, status, { error: status === 404 ? (e as Error).message : "internal error" });
      else res.end();
    });
  };
}

async function handle(deps: GatewayDeps, req: Req, res: Res): Promise<void> {
  const url = new URL(req.url ?? "/", "http://x");
  if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, { error: `${req.method} not allowed here` });
  if (url.pathname === "/healthz") return send(res, 200, { status: "ok" });
  if (url.pathname === "/readyz") {
    await deps.store.db.selectFrom("projects").select("id").limit(1).execute();
    return send(res, 200, { status: "ready" });
  }
  const m = RUN_FILE.exec(url.pathname);
  if (!m) return send(res, 404, { error: `no route for ${url.pathname}` });
  const ref = { project: decodeURIComponent(m[1]!), buildNumber: Number(m[2]), run: decodeURIComponent(m[3]!) };
  const { run } = await resolveRun(deps.store, ref);
  if (m[4] === ".rundef.json") {
    const def = fromJsonString(RunDefinitionSchema, run.definition_json);
    for (const k of Object.keys(def.secrets)) def.secrets[k] = "";
    res.writeHead(200, { "content-type": "application/json" });
    res.end(toJsonString(RunDefinitionSchema, def, { prettySpaces: 2 }));
    return;
  }
  // console.log: the bytes so far; `?follow=1` streams until the run completes.
  const follow = url.searchParams.has("follow");
  const abort = new AbortController();
  req.once("close", () => abort.abort());
  res.writeHead(200, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
  const isDone = async () => isComplete((await findRunById(deps.store.db, run.id))?.status ?? 4);
  for await (const item of deps.logs.tail(run.id, 0, follow, isDone, abort.signal)) {
    res.write(item.data);
  }
  res.end();
}

function send(res: Res, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
