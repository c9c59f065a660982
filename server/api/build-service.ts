// BuildService: trigger, read, list, cancel and promote builds.
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import type { BuildService } from "../../gen/jobserv/v1/build_pb.js";
import { Scope } from "../../gen/jobserv/v1/token_pb.js";
import { resolveBuild, resolveProject } from "../builds/lookup.js";
import { cancelRun } from "../builds/run-updates.js";
import { triggerBuild } from "../builds/trigger.js";
import type { Store } from "../store/db.js";
import { FailedPreconditionError } from "../errors.js";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { findBuildById, listBuilds, promoteBuild } from "../store/builds.js";
import { listRunsOfBuilds } from "../store/runs.js";
import { decodePageToken, encodePageToken, pageSize, toBuild } from "./convert.js";
import type { ApiDeps } from "./deps.js";
import { mapErrors, requireField } from "./errors.js";

async function loadBuild(store: Store, project: string, number: number) {
  const { build } = await resolveBuild(store, project, number);
  return toBuild(build, project, await listRunsOfBuilds(store.db, [build.id]));
}

export function createBuildService(deps: ApiDeps): ServiceImpl<typeof BuildService> {
  const { store } = deps;
  return mapErrors<ServiceImpl<typeof BuildService>>({
    async triggerBuild(req, ctx) {
      await deps.authz.project(ctx, req.project, Scope.TRIGGER);
      requireField(req.project, "project");
      const { buildId } = await triggerBuild(deps.trigger, {
        project: req.project, triggerName: req.triggerName, params: req.params, reason: req.reason || "triggered through the API",
      });
      const build = (await findBuildById(store.db, buildId))!;
      return { build: toBuild(build, req.project, await listRunsOfBuilds(store.db, [buildId])) };
    },
    async getBuild(req, ctx) {
      await deps.authz.project(ctx, req.project, Scope.READ);
      return { build: await loadBuild(store, req.project, req.number) };
    },
    async listBuilds(req, ctx) {
      await deps.authz.project(ctx, req.project, Scope.READ);
      const project = await resolveProject(store, req.project);
      const limit = pageSize(req.pageSize, 50);
      const before = req.pageToken ? Number(decodePageToken(req.pageToken)) : Number.MAX_SAFE_INTEGER;
      const rows = await listBuilds(store.db, project.id, before, limit + 1);
      const page = rows.slice(0, limit);
      return {
        builds: page.map((b) => toBuild(b, project.name, [])),
        nextPageToken: rows.length > limit ? encodePageToken(page[page.length - 1]!.number) : "",
      };
    },
    async cancelBuild(req, ctx) {
      await deps.authz.project(ctx, req.project, Scope.TRIGGER);
      const { build } = await resolveBuild(store, req.project, req.number);
      for (const run of await listRunsOfBuilds(store.db, [build.id])) await cancelRun(deps.runUpdates, run.id);
      return { build: await loadBuild(store, req.project, req.number) };
    },
    async promoteBuild(req, ctx) {
      await deps.authz.project(ctx, req.project, Scope.ADMIN);
      requireField(req.name, "name");
      const { build } = await resolveBuild(store, req.project, req.number);
      if (!await promoteBuild(store.db, build.id, req.name, req.annotation, deps.now())) {
        const now = (await findBuildById(store.db, build.id))?.status ?? build.status;
        throw new FailedPreconditionError(`build ${req.number} is ${Status[now]}; only a PASSED build can be promoted`);
      }
      deps.runUpdates.events.build({ buildId: build.id, status: Status.PROMOTED });
      return { build: await loadBuild(store, req.project, req.number) };
    },
    // The watch streams are being built on the run lifecycle's event stream (issue 10/11).
    // eslint-disable-next-line require-yield
    async *watchBuild() { throw new ConnectError("WatchBuild is not served yet", Code.Unimplemented); },
    // eslint-disable-next-line require-yield
    async *watchBuilds() { throw new ConnectError("WatchBuilds is not served yet", Code.Unimplemented); },
  });
}
