// RunService's release-workflow methods: a run name's history across builds,
// tests driven from outside (the run's token or a trigger-scope API token),
// and the runs active now. Thin: access check, the shared reads and
// transitions (builds/release-reads.ts, builds/outside-tests.ts), conversion.
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import type { RunService } from "../../gen/jobserv/v1/run_pb.js";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { Scope } from "../../gen/jobserv/v1/token_pb.js";
import { resolveProject, resolveRun } from "../builds/lookup.js";
import { createOutsideTest, updateOutsideTest } from "../builds/outside-tests.js";
import { openRuns, runHistory } from "../builds/release-reads.js";
import { isComplete } from "../builds/status.js";
import { requireField } from "./errors.js";
import { projectAccessRows } from "../store/active-runs.js";
import { findProjectByName } from "../store/projects.js";
import { pageSize } from "./convert.js";
import { toTest } from "./convert-outputs.js";
import { nextOffsetToken, offsetOf, toActiveRun, toHistoryEntry } from "./convert-release.js";
import type { ApiDeps } from "./deps.js";

type ReleaseMethods = Pick<ServiceImpl<typeof RunService>, "listRunHistory" | "createTest" | "updateTest" | "listActiveRuns">;

export function runReleaseMethods(deps: ApiDeps): ReleaseMethods {
  const { store } = deps;
  const outside = { store, lifecycle: deps.lifecycle, notes: deps.logs, now: deps.now };
  /** The run, once the caller proved it may report its tests. */
  const writableRun = async (ctx: HandlerContext, ref: { project: string; buildNumber: number; run: string } | undefined) => {
    const project = ref?.project ?? "";
    const found = await resolveRun(store, ref).catch(async (e: unknown) => {
      // Access first: a caller who may not see the project learns nothing of its runs.
      await deps.authz.project(ctx, project, Scope.TRIGGER);
      throw e;
    });
    await deps.authz.access.runWriter(ctx.requestHeader.get("authorization") ?? undefined,
      { token_hash: found.run.token_hash, open: !isComplete(found.run.status) }, await findProjectByName(store.db, project), project);
    return found.run;
  };
  return {
    async listRunHistory(req, ctx) {
      await deps.authz.project(ctx, req.project, Scope.READ);
      const project = await resolveProject(store, req.project);
      const offset = offsetOf(req.pageToken);
      const page = await runHistory(store, project, requireField(req.run, "run"), offset, pageSize(req.pageSize, 25));
      return { runs: page.items.map((e) => toHistoryEntry(e, project.name)), total: page.total, nextPageToken: nextOffsetToken(offset, page.items.length, page.total) };
    },
    async createTest(req, ctx) {
      const run = await writableRun(ctx, req.ref);
      const test = await createOutsideTest(outside, run, {
        name: req.name, context: req.context, status: req.status, results: req.results.map((r) => ({ ...r })),
      });
      return { test: toTest(test) };
    },
    async updateTest(req, ctx) {
      const run = await writableRun(ctx, req.ref);
      const { test, runComplete } = await updateOutsideTest(outside, run, {
        name: requireField(req.name, "name"), context: req.context, status: req.status, results: req.results.map((r) => ({ ...r })), message: req.message,
      });
      return { test: toTest(test), runComplete };
    },
    async listActiveRuns(_req, ctx) {
      const caller = await deps.authz.caller(ctx);
      const ids = (await projectAccessRows(store.db)).filter((p) => deps.authz.access.canRead(caller, p)).map((p) => p.id);
      const { runs, counts } = await openRuns(store, ids);
      return { runs: runs.map(toActiveRun), statusCounts: Object.fromEntries([...counts].map(([s, n]) => [Status[s] ?? String(s), n])) };
    },
  };
}
