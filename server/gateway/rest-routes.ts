// JobServ's REST surface (its paths, JSend shapes and status codes), one file
// per resource; registered before the artifact download route, whose
// `.../runs/{r}/{path}` would otherwise take `.../runs/{r}/tests/`.
import { restBuildRoutes } from "./rest-builds.js";
import type { RestDeps } from "./rest-deps.js";
import { restHealthRoutes } from "./rest-health.js";
import { restProjectRoutes } from "./rest-projects.js";
import { restPromotedRoutes } from "./rest-promoted.js";
import { restRunRoutes } from "./rest-runs.js";
import { restTestRoutes } from "./rest-tests.js";
import type { Route } from "./router.js";

export function jobservRestRoutes(deps: RestDeps): Route[] {
  return [
    ...restProjectRoutes(deps), ...restBuildRoutes(deps), ...restPromotedRoutes(deps),
    ...restRunRoutes(deps), ...restTestRoutes(deps), ...restHealthRoutes(deps),
  ];
}
