// JobServ's build routes: `GET /projects/{p}/builds/` (paged, newest first),
// `GET .../builds/{n}/` (detailed, with status_events), `GET
// .../builds/latest/` (`?promoted`, `?all`, `?trigger_name=`), `PATCH
// .../builds/{n}/` (only `annotation`), `POST .../builds/{n}/cancel` and
// `.../promote`. Reads take what the RPCs read (builds/release-reads.ts);
// writes are the lifecycle's transitions, with the RPCs' scopes.
import { Scope } from "../../gen/jobserv/v1/token_pb.js";
import { resolveBuild, resolveProject } from "../builds/lookup.js";
import { buildDetail, buildPage, latest } from "../builds/release-reads.js";
import { InvalidArgumentError } from "../errors.js";
import { findBuildById } from "../store/builds.js";
import { runsWithTests } from "../store/run-history.js";
import { buildDetailJson, buildJson } from "./jobserv-json.js";
import { field, jsonBody, pageArgs, paged, sendJsend } from "./jsend.js";
import { requireBearer, requireProject } from "./rest-access.js";
import type { RestDeps } from "./rest-deps.js";
import type { Route } from "./router.js";

const BUILD = String.raw`^\/projects\/([^/]+)\/builds\/(\d+)`;

export function restBuildRoutes(deps: RestDeps): Route[] {
  const { store } = deps;
  return [{
    method: "GET", path: /^\/projects\/([^/]+)\/builds\/?$/, jsend: true,
    async handle(req, res, [name = ""], url) {
      await requireProject(deps.access, store, req, name);
      const project = await resolveProject(store, name);
      const args = pageArgs(url);
      const page = await buildPage(store, project, args.offset, args.limit);
      const withTests = await runsWithTests(store.db, page.items.flatMap((b) => b.runs.map((r) => r.id)));
      const base = deps.publicUrl();
      sendJsend(res, 200, paged("builds", page.items.map((b) => buildJson(base, project.name, b.build, b.runs, withTests)), page.total, args, base, url));
    },
  }, {
    method: "GET", path: /^\/projects\/([^/]+)\/builds\/latest\/?$/, jsend: true,
    async handle(req, res, [name = ""], url) {
      await requireProject(deps.access, store, req, name);
      const project = await resolveProject(store, name);
      const q = url.searchParams;
      const select = q.has("all") ? "any" : q.has("promoted") ? "promoted" : "passed";
      sendJsend(res, 200, { build: buildDetailJson(deps.publicUrl(), project.name, await latest(store, project, select, q.get("trigger_name") ?? "")) });
    },
  }, {
    method: "GET", path: new RegExp(`${BUILD}\\/?$`), jsend: true,
    async handle(req, res, [name = "", n]) {
      await requireProject(deps.access, store, req, name);
      const { project, build } = await resolveBuild(store, name, Number(n));
      sendJsend(res, 200, { build: buildDetailJson(deps.publicUrl(), project.name, await buildDetail(store, build)) });
    },
  }, {
    method: "PATCH", path: new RegExp(`${BUILD}\\/?$`), jsend: true,
    async handle(req, res, [name = "", n]) {
      await requireBearer(deps.access, store, req, name, Scope.TRIGGER);
      const body = await jsonBody(req, deps.maxBytes);
      const annotation = field(body, "annotation", "string");
      if (annotation === undefined) throw new InvalidArgumentError("No changes found: only `annotation` can be changed");
      const { project, build } = await resolveBuild(store, name, Number(n));
      await deps.lifecycle.annotate(build.id, annotation);
      sendJsend(res, 200, { build: buildDetailJson(deps.publicUrl(), project.name, await buildDetail(store, (await findBuildById(store.db, build.id))!)) });
    },
  }, {
    method: "POST", path: new RegExp(`${BUILD}\\/cancel\\/?$`), jsend: true,
    async handle(req, res, [name = "", n]) {
      await requireBearer(deps.access, store, req, name, Scope.TRIGGER);
      const { build } = await resolveBuild(store, name, Number(n));
      await deps.lifecycle.cancelBuild(build.id);
      sendJsend(res, 202, {});
    },
  }, {
    method: "POST", path: new RegExp(`${BUILD}\\/promote\\/?$`), jsend: true,
    async handle(req, res, [name = "", n]) {
      await requireBearer(deps.access, store, req, name, Scope.ADMIN);
      const body = await jsonBody(req, deps.maxBytes);
      if (!Object.keys(body).length) throw new InvalidArgumentError("Input data must be JSON: {\"name\": ..., \"annotation\": ...}");
      const releaseName = field(body, "name", "string");
      if (!releaseName) throw new InvalidArgumentError("name: required");
      const { build } = await resolveBuild(store, name, Number(n));
      await deps.lifecycle.promote(build.id, releaseName, field(body, "annotation", "string") ?? "");
      sendJsend(res, 201, {});
    },
  }];
}
