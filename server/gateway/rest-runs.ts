// JobServ's run routes: `GET .../builds/{n}/runs/` (not paged), `GET
// .../runs/{r}/` (detailed: worker_name, status_events, and `artifacts` as
// URLs, or with `?version=v2` `{url, size_bytes}`), `POST .../runs/{r}/rerun`
// and `.../cancel` (trigger scope, the lifecycle's transitions as RerunRun and
// CancelRun). Browsers get the run page at the run URL (pages/).
import { Scope } from "../../gen/jobserv/v1/token_pb.js";
import { deleteStoredArtifacts, runArtifactsPrefix } from "../artifacts/run-artifacts.js";
import { resolveBuild, resolveRun } from "../builds/lookup.js";
import { runDetail } from "../builds/release-reads.js";
import { runsWithTests } from "../store/run-history.js";
import { listRunsOfBuilds } from "../store/runs.js";
import { artifactJson, runJson, runUrl } from "./jobserv-json.js";
import { sendJsend } from "./jsend.js";
import { requireBearer, requireProject } from "./rest-access.js";
import type { RestDeps } from "./rest-deps.js";
import type { Route } from "./router.js";

const RUN = String.raw`^\/projects\/([^/]+)\/builds\/(\d+)\/runs\/([^/]+)`;

export function restRunRoutes(deps: RestDeps): Route[] {
  const { store } = deps;
  const ref = (project: string, n: string | undefined, run: string) => ({ project, buildNumber: Number(n), run });
  return [{
    method: "GET", path: /^\/projects\/([^/]+)\/builds\/(\d+)\/runs\/?$/, jsend: true,
    async handle(req, res, [name = "", n]) {
      await requireProject(deps.access, store, req, name);
      const { project, build } = await resolveBuild(store, name, Number(n));
      const runs = await listRunsOfBuilds(store.db, [build.id]);
      const withTests = await runsWithTests(store.db, runs.map((r) => r.id));
      sendJsend(res, 200, { runs: runs.map((r) => runJson(deps.publicUrl(), project.name, build.number, r, withTests.has(r.id))) });
    },
  }, {
    method: "GET", path: new RegExp(`${RUN}\\/?$`), jsend: true,
    async handle(req, res, [name = "", n, r = ""], url) {
      await requireProject(deps.access, store, req, name);
      const { project, build, run } = await resolveRun(store, ref(name, n, r));
      const d = await runDetail(store, run);
      const base = deps.publicUrl();
      const v2 = url.searchParams.get("version") === "v2";
      sendJsend(res, 200, {
        run: { ...runJson(base, project.name, build.number, run, d.hasTests, d), artifacts: d.artifacts.map((a) => artifactJson(runUrl(base, project.name, build.number, run.name), a, v2)) },
      });
    },
  }, {
    method: "POST", path: new RegExp(`${RUN}\\/rerun\\/?$`), jsend: true,
    async handle(req, res, [name = "", n, r = ""]) {
      await requireBearer(deps.access, store, req, name, Scope.TRIGGER);
      const { project, build, run } = await resolveRun(store, ref(name, n, r));
      const files = runArtifactsPrefix({ project: project.name, build: build.number, run: run.name });
      await deps.lifecycle.rerun(run.id, async () => { await deleteStoredArtifacts(deps.storage, files); });
      sendJsend(res, 202, {});
    },
  }, {
    method: "POST", path: new RegExp(`${RUN}\\/cancel\\/?$`), jsend: true,
    async handle(req, res, [name = "", n, r = ""]) {
      await requireBearer(deps.access, store, req, name, Scope.TRIGGER);
      const { run } = await resolveRun(store, ref(name, n, r));
      await deps.lifecycle.cancelRun(run.id);
      sendJsend(res, 202, {});
    },
  }];
}
