// The release workflow's reads (builds/release-reads.ts) -> API messages:
// a build with its runs and status history, a promoted build with its runs'
// tests and artifacts, a run with its status history, history entries and
// active runs; and offset page tokens for the offset-paged lists.
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { BuildStatusEventSchema, PromotedBuildSchema, type Build, type PromotedBuild } from "../../gen/jobserv/v1/build_pb.js";
import { ActiveRunSchema, RunHistoryEntrySchema, RunStatusEventSchema, type ActiveRun, type Run, type RunHistoryEntry } from "../../gen/jobserv/v1/run_pb.js";
import type { BuildDetail, HistoryEntry, PromotedDetail, RunDetail } from "../builds/release-reads.js";
import type { ActiveRunRow } from "../store/active-runs.js";
import { InvalidArgumentError } from "../errors.js";
import { decodePageToken, encodePageToken, toBuild, toRun } from "./convert.js";
import { toArtifact, toTest } from "./convert-outputs.js";

export function toBuildDetail(d: BuildDetail, project: string): Build {
  const build = toBuild(d.build, project, d.runs);
  build.statusEvents = d.events.map((e) => create(BuildStatusEventSchema, { status: e.status, time: timestampFromMs(e.time) }));
  return build;
}

export function toPromotedBuild(d: PromotedDetail, project: string): PromotedBuild {
  return create(PromotedBuildSchema, {
    build: toBuildDetail(d, project),
    tests: d.tests.map((t) => ({ run: t.run.name, test: toTest(t.test) })),
    artifacts: d.artifacts.map((a) => ({ run: a.run.name, artifact: toArtifact(a.artifact) })),
  });
}

export function toRunDetail(d: RunDetail, project: string, buildNumber: number): Run {
  const run = toRun(d.run, project, buildNumber);
  run.statusEvents = d.events.map((e) => create(RunStatusEventSchema, { status: e.status, time: timestampFromMs(e.time), workerName: e.worker ?? "", message: e.message }));
  return run;
}

export function toHistoryEntry(e: HistoryEntry, project: string): RunHistoryEntry {
  return create(RunHistoryEntrySchema, { run: toRun(e.run, project, e.run.build_number), durationSeconds: e.durationSeconds });
}

export function toActiveRun(r: ActiveRunRow): ActiveRun {
  return create(ActiveRunSchema, { run: toRun(r, r.project, r.build_number), buildCreateTime: timestampFromMs(r.build_created_at) });
}

/** The offset a page token of an offset-paged list stands for (0 without one). */
export function offsetOf(pageToken: string): number {
  if (!pageToken) return 0;
  const n = Number(decodePageToken(pageToken));
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError("page_token: not one this list gave");
  return n;
}

/** The next page's token, or "" on the last page. */
export function nextOffsetToken(offset: number, count: number, total: number): string {
  return offset + count < total ? encodePageToken(offset + count) : "";
}
