// The release workflow's reads, shared by the RPC handlers (api/) and the
// JobServ REST routes (gateway/), which only convert what these return:
// a build with its runs and status history, the latest build by status and
// trigger, promoted builds with their runs' tests and artifacts, a run name's
// history across builds with durations, and the runs active now.
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { NotFoundError } from "../errors.js";
import { activeRuns, runStatusCounts, type ActiveRunRow } from "../store/active-runs.js";
import { listArtifacts } from "../store/artifacts.js";
import { listBuildEvents } from "../store/build-events.js";
import type { ArtifactRow, BuildSummaryRow, ProjectRow, RunRow } from "../store/database.js";
import type { Store } from "../store/db.js";
import { buildsPage, countBuilds, latestBuild, promotedBuildByName } from "../store/release-builds.js";
import { countRunHistory, lastStartTimes, listRunEvents, runHistoryPage, runsWithTests, type HistoryRun, type RunEventRow } from "../store/run-history.js";
import { listRunsOfBuilds } from "../store/runs.js";
import { listTests, type TestWithResults } from "../store/tests.js";
import { isComplete } from "./status.js";

export interface BuildDetail { build: BuildSummaryRow; runs: RunRow[]; events: { status: Status; time: number }[]; runsWithTests: Set<number> }

export async function buildDetail(store: Store, build: BuildSummaryRow): Promise<BuildDetail> {
  const [runs, events] = await Promise.all([listRunsOfBuilds(store.db, [build.id]), listBuildEvents(store.db, build.id)]);
  return { build, runs, events, runsWithTests: await runsWithTests(store.db, runs.map((r) => r.id)) };
}

export type LatestSelect = "passed" | "promoted" | "any";

export async function latest(store: Store, project: ProjectRow, select: LatestSelect, triggerName: string): Promise<BuildDetail> {
  const statuses = select === "any" ? undefined : [select === "promoted" ? Status.PROMOTED : Status.PASSED];
  const build = await latestBuild(store.db, project.id, statuses, triggerName);
  if (!build) throw new NotFoundError(`project "${project.name}" has no ${select === "any" ? "" : `${select} `}build${triggerName ? ` of trigger "${triggerName}"` : ""}`);
  return buildDetail(store, build);
}

export interface Page<T> { items: T[]; total: number }

/** A page of builds newest first (JobServ's offset pagination), with their runs. */
export async function buildPage(store: Store, project: ProjectRow, offset: number, limit: number): Promise<Page<{ build: BuildSummaryRow; runs: RunRow[] }>> {
  const [builds, total] = await Promise.all([buildsPage(store.db, project.id, offset, limit), countBuilds(store.db, project.id)]);
  const runs = await listRunsOfBuilds(store.db, builds.map((b) => b.id));
  return { items: builds.map((build) => ({ build, runs: runs.filter((r) => r.build_id === build.id) })), total };
}

export interface PromotedDetail extends BuildDetail {
  tests: { run: RunRow; test: TestWithResults }[];
  artifacts: { run: RunRow; artifact: ArtifactRow }[];
}

async function promotedDetail(store: Store, build: BuildSummaryRow): Promise<PromotedDetail> {
  const detail = await buildDetail(store, build);
  const tests: PromotedDetail["tests"] = [];
  const artifacts: PromotedDetail["artifacts"] = [];
  for (const run of detail.runs) {
    for (const test of await listTests(store.db, run.id)) tests.push({ run, test });
    for (const artifact of await listArtifacts(store.db, run.id)) artifacts.push({ run, artifact });
  }
  return { ...detail, tests, artifacts };
}

export async function promotedPage(store: Store, project: ProjectRow, offset: number, limit: number): Promise<Page<PromotedDetail>> {
  const [builds, total] = await Promise.all([buildsPage(store.db, project.id, offset, limit, true), countBuilds(store.db, project.id, true)]);
  const items: PromotedDetail[] = [];
  for (const b of builds) items.push(await promotedDetail(store, b));
  return { items, total };
}

export async function promotedByName(store: Store, project: ProjectRow, name: string): Promise<PromotedDetail> {
  const build = await promotedBuildByName(store.db, project.id, name);
  if (!build) throw new NotFoundError(`project "${project.name}" has no promoted build "${name}"`);
  return promotedDetail(store, build);
}

export interface RunDetail { run: RunRow; events: RunEventRow[]; artifacts: ArtifactRow[]; hasTests: boolean }

export async function runDetail(store: Store, run: RunRow): Promise<RunDetail> {
  const [events, artifacts, withTests] = await Promise.all([listRunEvents(store.db, run.id), listArtifacts(store.db, run.id), runsWithTests(store.db, [run.id])]);
  return { run, events, artifacts, hasTests: withTests.has(run.id) };
}

export interface HistoryEntry { run: HistoryRun; durationSeconds: number; hasTests: boolean }

/** Runs named `name` across the project's builds, newest first; duration from the last start to completion. */
export async function runHistory(store: Store, project: ProjectRow, name: string, offset: number, limit: number): Promise<Page<HistoryEntry>> {
  const [runs, total] = await Promise.all([runHistoryPage(store.db, project.id, name, offset, limit), countRunHistory(store.db, project.id, name)]);
  const ids = runs.map((r) => r.id);
  const [starts, withTests] = await Promise.all([lastStartTimes(store.db, ids), runsWithTests(store.db, ids)]);
  return {
    total,
    items: runs.map((run) => {
      const start = starts.get(run.id) ?? run.started_at;
      const done = isComplete(run.status) && run.completed_at !== null && start !== null;
      return { run, durationSeconds: done ? Math.max(0, Number(run.completed_at) - Number(start)) / 1000 : 0, hasTests: withTests.has(run.id) };
    }),
  };
}

/** The runs open now in `projectIds` (at most 1000) and run counts by status there. */
export async function openRuns(store: Store, projectIds: readonly number[]): Promise<{ runs: ActiveRunRow[]; counts: Map<Status, number> }> {
  const [runs, counts] = await Promise.all([activeRuns(store.db, projectIds, 1000), runStatusCounts(store.db, projectIds)]);
  return { runs, counts };
}
