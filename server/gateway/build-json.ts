// REST routes for a build and a run as JSON: `GET /projects/{p}/builds/{n}/` is
// the proto JSON of jobserv.v1.Build with its runs and status history (what
// BuildService.GetBuild returns), `GET /projects/{p}/builds/{n}/runs/{r}/` that of jobserv.v1.Run
// (RunService.GetRun). Browsers get pages at these URLs (pages/page-routes.ts).
import { toJsonString } from "@bufbuild/protobuf";
import { BuildSchema } from "../../gen/jobserv/v1/build_pb.js";
import { RunSchema } from "../../gen/jobserv/v1/run_pb.js";
import { buildDocument } from "../api/build-document.js";
import { toRun } from "../api/convert.js";
import type { Access } from "../auth/access.js";
import { resolveRun } from "../builds/lookup.js";
import type { Store } from "../store/db.js";
import { requireProject } from "./rest-access.js";
import type { Res, Route } from "./router.js";

function sendProtoJson(res: Res, json: string): void {
  res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store", vary: "Accept" });
  res.end(json);
}

export function buildJsonRoutes(deps: { store: Store; access: Access }): Route[] {
  return [{
    method: "GET", path: /^\/projects\/([^/]+)\/builds\/(\d+)\/?$/,
    async handle(req, res, params) {
      const project = params[0]!;
      await requireProject(deps.access, deps.store, req, project);
      sendProtoJson(res, toJsonString(BuildSchema, await buildDocument(deps.store, project, Number(params[1])), { prettySpaces: 2 }));
    },
  }, {
    method: "GET", path: /^\/projects\/([^/]+)\/builds\/(\d+)\/runs\/([^/]+)\/?$/,
    async handle(req, res, [project = "", n, run = ""]) {
      await requireProject(deps.access, deps.store, req, project);
      const found = await resolveRun(deps.store, { project, buildNumber: Number(n), run });
      sendProtoJson(res, toJsonString(RunSchema, toRun(found.run, project, found.build.number), { prettySpaces: 2 }));
    },
  }];
}
