// REST route for a build as JSON: `GET /projects/{p}/builds/{n}/` is the proto
// JSON of jobserv.v1.Build with its runs (what BuildService.GetBuild returns).
import { toJsonString } from "@bufbuild/protobuf";
import { BuildSchema } from "../../gen/jobserv/v1/build_pb.js";
import { toBuild } from "../api/convert.js";
import type { Access } from "../auth/access.js";
import { resolveBuild } from "../builds/lookup.js";
import type { Store } from "../store/db.js";
import { listRunsOfBuilds } from "../store/runs.js";
import { requireProject } from "./rest-access.js";
import type { Route } from "./router.js";

export function buildJsonRoutes(deps: { store: Store; access: Access }): Route[] {
  return [{
    method: "GET", path: /^\/projects\/([^/]+)\/builds\/(\d+)\/?$/,
    async handle(req, res, params) {
      const project = params[0]!;
      await requireProject(deps.access, deps.store, req, project);
      const { build } = await resolveBuild(deps.store, project, Number(params[1]));
      const json = toJsonString(BuildSchema, toBuild(build, project, await listRunsOfBuilds(deps.store.db, [build.id])), { prettySpaces: 2 });
      res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
      res.end(json);
    },
  }];
}
