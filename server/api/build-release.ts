// BuildService's release workflow: the latest build, promoted builds, the
// annotation, external builds. Thin: access check, the shared reads and
// transitions (builds/release-reads.ts, the lifecycle), conversion.
import type { ServiceImpl } from "@connectrpc/connect";
import { LatestSelect, type BuildService } from "../../gen/jobserv/v1/build_pb.js";
import { Scope } from "../../gen/jobserv/v1/token_pb.js";
import { resolveBuild, resolveProject } from "../builds/lookup.js";
import { buildDetail, latest, promotedByName, promotedPage } from "../builds/release-reads.js";
import { findBuildById } from "../store/builds.js";
import { pageSize } from "./convert.js";
import { nextOffsetToken, offsetOf, toBuildDetail, toPromotedBuild } from "./convert-release.js";
import type { ApiDeps } from "./deps.js";
import { requireField } from "./errors.js";

type ReleaseMethods = Pick<ServiceImpl<typeof BuildService>, "getLatestBuild" | "listPromotedBuilds" | "getPromotedBuild" | "annotateBuild" | "createExternalBuild">;

const SELECT = { [LatestSelect.UNSPECIFIED]: "passed", [LatestSelect.PROMOTED]: "promoted", [LatestSelect.ANY]: "any" } as const;

export function buildReleaseMethods(deps: ApiDeps): ReleaseMethods {
  const { store } = deps;
  return {
    async getLatestBuild(req, ctx) {
      await deps.authz.project(ctx, req.project, Scope.READ);
      const project = await resolveProject(store, req.project);
      return { build: toBuildDetail(await latest(store, project, SELECT[req.select] ?? "passed", req.triggerName), project.name) };
    },
    async listPromotedBuilds(req, ctx) {
      await deps.authz.project(ctx, req.project, Scope.READ);
      const project = await resolveProject(store, req.project);
      const offset = offsetOf(req.pageToken);
      const page = await promotedPage(store, project, offset, pageSize(req.pageSize, 25));
      return { builds: page.items.map((d) => toPromotedBuild(d, project.name)), total: page.total, nextPageToken: nextOffsetToken(offset, page.items.length, page.total) };
    },
    async getPromotedBuild(req, ctx) {
      await deps.authz.project(ctx, req.project, Scope.READ);
      const project = await resolveProject(store, req.project);
      return { build: toPromotedBuild(await promotedByName(store, project, requireField(req.name, "name")), project.name) };
    },
    async annotateBuild(req, ctx) {
      await deps.authz.project(ctx, req.project, Scope.TRIGGER);
      const { project, build } = await resolveBuild(store, req.project, req.number);
      await deps.lifecycle.annotate(build.id, req.annotation);
      return { build: toBuildDetail(await buildDetail(store, (await findBuildById(store.db, build.id))!), project.name) };
    },
    async createExternalBuild(req, ctx) {
      await deps.authz.project(ctx, req.project, Scope.TRIGGER);
      const project = await resolveProject(store, req.project);
      const { buildId } = await deps.lifecycle.recordExternalBuild({
        project, triggerName: req.triggerName, reason: req.reason,
        runs: req.runs.map((r) => ({ name: r.name, links: r.artifactLinks.map((l) => ({ name: l.name, url: l.url, sizeBytes: Number(l.sizeBytes) })) })),
      });
      return { build: toBuildDetail(await buildDetail(store, (await findBuildById(store.db, buildId))!), project.name) };
    },
  };
}
