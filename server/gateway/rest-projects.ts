// JobServ's project routes: `GET /projects/` (the projects the caller may
// read, by name, not paged), `GET /projects/{p}/`, and `GET
// /projects/{p}/history/{run}/` (every run of that name across builds, newest
// first, paged, each with `build` and `duration_seconds`).
import { resolveProject } from "../builds/lookup.js";
import { runHistory } from "../builds/release-reads.js";
import { projectAccessRows } from "../store/active-runs.js";
import { findProjectByName } from "../store/projects.js";
import { projectJson, runJson } from "./jobserv-json.js";
import { pageArgs, paged, sendJsend } from "./jsend.js";
import { requestCaller, requireProject } from "./rest-access.js";
import type { RestDeps } from "./rest-deps.js";
import type { Route } from "./router.js";

export function restProjectRoutes(deps: RestDeps): Route[] {
  const { store } = deps;
  return [{
    method: "GET", path: /^\/projects\/?$/, jsend: true,
    async handle(req, res) {
      const caller = await requestCaller(deps.access, req);
      const readable = (await projectAccessRows(store.db)).filter((p) => deps.access.canRead(caller, p));
      const rows = await Promise.all(readable.map((p) => findProjectByName(store.db, p.name)));
      sendJsend(res, 200, { projects: rows.flatMap((p) => (p ? [projectJson(deps.publicUrl(), p, false)] : [])) });
    },
  }, {
    method: "GET", path: /^\/projects\/([^/]+)\/?$/, jsend: true,
    async handle(req, res, [name = ""]) {
      await requireProject(deps.access, store, req, name);
      sendJsend(res, 200, { project: projectJson(deps.publicUrl(), await resolveProject(store, name), true) });
    },
  }, {
    method: "GET", path: /^\/projects\/([^/]+)\/history\/([^/]+)\/?$/, jsend: true,
    async handle(req, res, [name = "", run = ""], url) {
      await requireProject(deps.access, store, req, name);
      const project = await resolveProject(store, name);
      const args = pageArgs(url);
      const page = await runHistory(store, project, run, args.offset, args.limit);
      const base = deps.publicUrl();
      const items = page.items.map((e) => ({ ...runJson(base, project.name, e.run.build_number, e.run, e.hasTests), build: e.run.build_number, duration_seconds: e.durationSeconds }));
      sendJsend(res, 200, paged("runs", items, page.total, args, base, url));
    },
  }];
}
