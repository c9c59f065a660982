// REST routes for a run's files: the console log (live with `?follow`) and the
// run definition as JSON (secret values redacted).
import { toJsonString } from "@bufbuild/protobuf";
import { RunDefinitionSchema } from "../../gen/jobserv/v1/run_definition_pb.js";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { resolveRun } from "../builds/lookup.js";
import { isComplete } from "../builds/status.js";
import type { LogStore } from "../logs/log-store.js";
import { readerDefinition } from "../secrets/reader-definition.js";
import type { SecretCipher } from "../secrets/cipher.js";
import type { Store } from "../store/db.js";
import { findRunById } from "../store/runs.js";
import type { Access } from "../auth/access.js";
import { requireProject } from "./rest-access.js";
import type { Route } from "./router.js";

const RUN = "^/projects/([^/]+)/builds/(\\d+)/runs/([^/]+)";

export function runFileRoutes(deps: { store: Store; logs: LogStore; cipher: SecretCipher; access: Access }): Route[] {
  const ref = (p: string[]) => ({ project: p[0]!, buildNumber: Number(p[1]), run: p[2]! });
  return [
    {
      method: "GET", path: new RegExp(`${RUN}/\\.rundef\\.json$`),
      async handle(req, res, params) {
        await requireProject(deps.access, deps.store, req, params[0]!);
        const { run } = await resolveRun(deps.store, ref(params));
        const def = readerDefinition(run, deps.cipher);
        res.writeHead(200, { "content-type": "application/json" });
        res.end(toJsonString(RunDefinitionSchema, def, { prettySpaces: 2 }));
      },
    },
    {
      method: "GET", path: new RegExp(`${RUN}/console\\.log$`),
      async handle(req, res, params, url) {
        await requireProject(deps.access, deps.store, req, params[0]!);
        const { run } = await resolveRun(deps.store, ref(params));
        const follow = url.searchParams.has("follow");
        const abort = new AbortController();
        req.once("close", () => abort.abort());
        res.writeHead(200, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
        const isDone = async () => isComplete((await findRunById(deps.store.db, run.id))?.status ?? Status.FAILED);
        for await (const item of deps.logs.tail(run.id, 0, follow, isDone, abort.signal)) res.write(item.data);
        res.end();
      },
    },
  ];
}
