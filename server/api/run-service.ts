// RunService: read runs, tail their logs, read their run definitions, cancel,
// rerun; history, tests from outside and active runs are in run-release.ts.
import { create, fromJsonString } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { RunDefinitionSchema } from "../../gen/jobserv/v1/run_definition_pb.js";
import { TailLogResponseSchema, type RunService } from "../../gen/jobserv/v1/run_pb.js";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { Scope } from "../../gen/jobserv/v1/token_pb.js";
import { resolveBuild, resolveRun } from "../builds/lookup.js";
import { readerDefinition } from "../secrets/reader-definition.js";
import { isComplete } from "../builds/status.js";
import { findRunById, listRunsPage } from "../store/runs.js";
import { listArtifacts } from "../store/artifacts.js";
import { listTests } from "../store/tests.js";
import { decodePageToken, encodePageToken, pageSize, toRun } from "./convert.js";
import { toArtifact, toTest } from "./convert-outputs.js";
import type { ApiDeps } from "./deps.js";
import { deleteStoredArtifacts, runArtifactsPrefix } from "../artifacts/run-artifacts.js";
import { runDetail } from "../builds/release-reads.js";
import { toRunDetail } from "./convert-release.js";
import { runReleaseMethods } from "./run-release.js";

export function createRunService(deps: ApiDeps): ServiceImpl<typeof RunService> {
  const { store } = deps;
  return {
    ...runReleaseMethods(deps),
    async getRun(req, ctx) {
      await deps.authz.project(ctx, req.ref?.project ?? "", Scope.READ);
      const { project, build, run } = await resolveRun(store, req.ref);
      return { run: toRunDetail(await runDetail(store, run), project.name, build.number) };
    },
    async listRuns(req, ctx) {
      await deps.authz.project(ctx, req.project, Scope.READ);
      const { project, build } = await resolveBuild(store, req.project, req.buildNumber);
      const limit = pageSize(req.pageSize, 1000);
      const rows = await listRunsPage(store.db, build.id, req.pageToken ? Number(decodePageToken(req.pageToken)) : 0, limit + 1);
      const page = rows.slice(0, limit);
      return {
        runs: page.map((r) => toRun(r, project.name, build.number)),
        nextPageToken: rows.length > limit ? encodePageToken(page[page.length - 1]!.id) : "",
      };
    },
    async *tailLog(req, ctx) {
      await deps.authz.project(ctx, req.ref?.project ?? "", Scope.READ);
      const { run } = await resolveRun(store, req.ref);
      let finalStatus = run.status as Status;
      const isDone = async () => {
        finalStatus = (await findRunById(store.db, run.id))?.status ?? Status.FAILED;
        return isComplete(finalStatus);
      };
      for await (const item of deps.logs.tail(run.id, Number(req.offset), req.follow, isDone, ctx.signal)) {
        yield create(TailLogResponseSchema, { offset: BigInt(item.offset), data: item.data });
      }
      if (req.follow && isComplete(finalStatus)) {
        const end = (await findRunById(store.db, run.id))?.log_size ?? 0;
        yield create(TailLogResponseSchema, { offset: BigInt(end), finalStatus });
      }
    },
    async getRunDefinition(req, ctx) {
      await deps.authz.project(ctx, req.ref?.project ?? "", Scope.READ);
      const { run } = await resolveRun(store, req.ref);
      // Readers never see secret values, only the names the run has.
      return { definition: readerDefinition(run, deps.cipher) };
    },
    async cancelRun(req, ctx) {
      await deps.authz.project(ctx, req.ref?.project ?? "", Scope.TRIGGER);
      const { project, build, run } = await resolveRun(store, req.ref);
      await deps.lifecycle.cancelRun(run.id);
      return { run: toRun((await findRunById(store.db, run.id))!, project.name, build.number) };
    },
    async rerunRun(req, ctx) {
      await deps.authz.project(ctx, req.ref?.project ?? "", Scope.TRIGGER);
      const { project, build, run } = await resolveRun(store, req.ref);
      const files = runArtifactsPrefix({ project: project.name, build: build.number, run: run.name });
      await deps.lifecycle.rerun(run.id, async () => { await deleteStoredArtifacts(deps.artifacts, files); });
      return { run: toRun((await findRunById(store.db, run.id))!, project.name, build.number) };
    },
    async listArtifacts(req, ctx) {
      await deps.authz.project(ctx, req.ref?.project ?? "", Scope.READ);
      const { run } = await resolveRun(store, req.ref);
      return { artifacts: (await listArtifacts(store.db, run.id)).map(toArtifact) };
    },
    async listTests(req, ctx) {
      await deps.authz.project(ctx, req.ref?.project ?? "", Scope.READ);
      const { run } = await resolveRun(store, req.ref);
      return { tests: (await listTests(store.db, run.id)).map(toTest) };
    },
  };
}
