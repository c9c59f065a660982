// BuildService: trigger, read, list, cancel, promote and watch builds; the
// release workflow's methods are in build-release.ts.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  WatchBuildResponseSchema, WatchBuildsResponseSchema, WatchPingSchema, type BuildService, type TriggerBuildRequest, type TriggerBuildResponseSchema, type WatchBuildResponse,
} from "../../gen/jobserv/v1/build_pb.js";
import { Scope } from "../../gen/jobserv/v1/token_pb.js";
import { resolveBuild, resolveProject } from "../builds/lookup.js";
import { triggerBuild, triggerRequest } from "../builds/trigger.js";
import { buildReleaseMethods } from "./build-release.js";
import { NotFoundError } from "../errors.js";
import type { Store } from "../store/db.js";
import { EarlyTransaction, findBuildById, listBuilds } from "../store/builds.js";
import { findProjectWithTrigger } from "../store/projects.js";
import { listRunsOfBuilds } from "../store/runs.js";
import { findProjectAccess, listBuildsByName } from "../store/build-reads.js";
import { decodePageToken, encodePageToken, pageSize, toBuild, toRun } from "./convert.js";
import { buildDocument } from "./build-document.js";
import type { ApiDeps } from "./deps.js";
import { requireField } from "./errors.js";
import type { RequestHeaders } from "./worker-auth.js";

async function loadBuild(store: Store, project: string, number: number) {
  const { build } = await resolveBuild(store, project, number);
  return toBuild(build, project, await listRunsOfBuilds(store.db, [build.id]));
}

/**
 * TriggerBuild, as Connect's router and the lean unary path (lean-trigger-call.ts) both answer it:
 * `call` is the request's headers (a Connect handler context is one).
 */
export function triggerBuildCall(deps: ApiDeps): (req: TriggerBuildRequest, call: RequestHeaders) => Promise<MessageInitShape<typeof TriggerBuildResponseSchema>> {
  const { store } = deps;
  return async (req, call) => {
    // A caller with credentials (checked by the request gate; cached) has the build's transaction begun
    // while the project and the named trigger's row are read, once, for the access check and the trigger.
    const caller = await deps.authz.caller(call);
    const early = caller.kind === "anonymous" ? undefined : EarlyTransaction.begin(store);
    let buildId: number;
    try {
      const found = await deps.authz.projectWith(caller, req.project, Scope.TRIGGER,
        () => findProjectWithTrigger(store.db, req.project, req.triggerName), (f) => f?.project);
      requireField(req.project, "project");
      ({ buildId } = await triggerBuild(deps.trigger, triggerRequest(req, caller), found, early));
    } finally {
      await early?.end(); // refused: rolled back
    }
    const [build, runs] = await Promise.all([findBuildById(store.db, buildId), listRunsOfBuilds(store.db, [buildId])]);
    return { build: toBuild(build!, req.project, runs) };
  };
}

export function createBuildService(deps: ApiDeps): ServiceImpl<typeof BuildService> {
  const { store } = deps;
  return {
    ...buildReleaseMethods(deps),
    triggerBuild: triggerBuildCall(deps),
    async getBuild(req, ctx) {
      const allow = await deps.authz.projectCheck(ctx, req.project, Scope.READ);
      return { build: await buildDocument(store, req.project, req.number, allow) };
    },
    async listBuilds(req, ctx) {
      const allow = await deps.authz.projectCheck(ctx, req.project, Scope.READ);
      const limit = pageSize(req.pageSize, 50);
      const before = req.pageToken ? Number(decodePageToken(req.pageToken)) : Number.MAX_SAFE_INTEGER;
      // One query: the page joined with its project; only an empty page asks for the project alone.
      const { builds: rows, project: found } = await listBuildsByName(store.db, req.project, before, limit + 1);
      const project = found ?? await findProjectAccess(store.db, req.project);
      allow(project);
      if (!project) throw new NotFoundError(`project "${req.project}" not found`);
      const page = rows.slice(0, limit);
      return {
        builds: page.map((b) => toBuild(b, project.name, [])),
        nextPageToken: rows.length > limit ? encodePageToken(page[page.length - 1]!.number) : "",
      };
    },
    async cancelBuild(req, ctx) {
      await deps.authz.project(ctx, req.project, Scope.TRIGGER);
      const { build } = await resolveBuild(store, req.project, req.number);
      await deps.lifecycle.cancelBuild(build.id);
      return { build: await loadBuild(store, req.project, req.number) };
    },
    async promoteBuild(req, ctx) {
      await deps.authz.project(ctx, req.project, Scope.ADMIN);
      requireField(req.name, "name");
      const { build } = await resolveBuild(store, req.project, req.number);
      await deps.lifecycle.promote(build.id, req.name, req.annotation);
      return { build: await loadBuild(store, req.project, req.number) };
    },
    async *watchBuild(req, ctx) {
      await deps.authz.project(ctx, req.project, Scope.READ);
      const { project, build } = await resolveBuild(store, req.project, req.number);
      const watch = await deps.watches.watch({ buildId: build.id }, ctx.signal, async () => {
        const now = await findBuildById(store.db, build.id);
        if (!now) throw new NotFoundError(`build ${req.project}#${req.number} not found`);
        return toBuild(now, project.name, await listRunsOfBuilds(store.db, [build.id]));
      });
      yield create(WatchBuildResponseSchema, { event: { case: "snapshot", value: watch.snapshot } });
      for await (const change of watch.changes) {
        let event: WatchBuildResponse["event"];
        if (change.kind === "ping") event = { case: "ping", value: create(WatchPingSchema) };
        else if (change.kind === "build") event = { case: "build", value: toBuild(change.build, project.name, []) };
        else event = { case: "run", value: toRun(change.run, project.name, build.number) };
        yield create(WatchBuildResponseSchema, { event });
      }
    },
    async *watchBuilds(req, ctx) {
      await deps.authz.project(ctx, req.project, Scope.READ);
      const project = await resolveProject(store, req.project);
      const limit = pageSize(req.pageSize, 50);
      const watch = await deps.watches.watch({ projectId: project.id }, ctx.signal,
        async () => (await listBuilds(store.db, project.id, Number.MAX_SAFE_INTEGER, limit)).map((b) => toBuild(b, project.name, [])));
      yield create(WatchBuildsResponseSchema, { event: { case: "snapshot", value: { builds: watch.snapshot } } });
      for await (const change of watch.changes) {
        if (change.kind === "ping") yield create(WatchBuildsResponseSchema, { event: { case: "ping", value: {} } });
        else if (change.kind === "build") yield create(WatchBuildsResponseSchema, { event: { case: "build", value: toBuild(change.build, project.name, []) } });
      }
    },
  };
}
