// JobServ's JSON shapes of projects, builds, runs and tests (its models'
// `as_json`, detailed or not), made from the shared reads; the REST routes
// wrap them in JSend. Key names are JobServ's own (mostly snake_case; the
// project's `synchronous-builds` is hyphenated there too). `base` is the
// server's public URL; web URLs are the same URLs (browsers get the page).
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { BuildDetail, RunDetail } from "../builds/release-reads.js";
import { isComplete } from "../builds/status.js";
import type { ArtifactRow, BuildSummaryRow, ProjectRow, RunRow } from "../store/database.js";
import type { TestWithResults } from "../store/tests.js";
import { isoTime } from "./jsend.js";

type Json = Record<string, unknown>;

const enc = encodeURIComponent;
const statusName = (s: number): string => Status[s] ?? "UNKNOWN";

export const projectUrl = (base: string, project: string) => `${base}/projects/${enc(project)}/`;
export const buildUrl = (base: string, project: string, n: number) => `${projectUrl(base, project)}builds/${n}/`;
export const runUrl = (base: string, project: string, n: number, run: string) => `${buildUrl(base, project, n)}runs/${enc(run)}/`;

export function projectJson(base: string, p: ProjectRow, detailed: boolean): Json {
  const data: Json = { name: p.name, "synchronous-builds": false, url: projectUrl(base, p.name) };
  if (detailed) data["builds_url"] = `${projectUrl(base, p.name)}builds/`;
  return data;
}

/** A build; `detail` adds JobServ's detailed keys (status_events, runs_url, reason, annotation). */
export function buildJson(base: string, project: string, build: BuildSummaryRow, runs: RunRow[], withTests: Set<number>, detail?: BuildDetail): Json {
  const url = buildUrl(base, project, build.number);
  const data: Json = {
    build_id: build.number, url, status: statusName(build.status),
    runs: runs.map((r) => runJson(base, project, build.number, r, withTests.has(r.id))),
    web_url: url, created: isoTime(build.created_at),
  };
  if (build.name) data["name"] = build.name;
  if (build.trigger_name) data["trigger_name"] = build.trigger_name;
  if (isComplete(build.status)) data["completed"] = isoTime(build.completed_at ?? detail?.events.at(-1)?.time);
  if (detail) {
    data["status_events"] = detail.events.map((e) => ({ time: isoTime(e.time), status: statusName(e.status) }));
    data["runs_url"] = `${url}runs/`;
    data["reason"] = build.reason;
    data["annotation"] = build.annotation;
  }
  return data;
}

export const buildDetailJson = (base: string, project: string, d: BuildDetail): Json => buildJson(base, project, d.build, d.runs, d.runsWithTests, d);

/** A run; `detail` adds worker_name and status_events (JobServ's detailed run). */
export function runJson(base: string, project: string, n: number, run: RunRow, hasTests: boolean, detail?: RunDetail): Json {
  const url = runUrl(base, project, n, run.name);
  const data: Json = { name: run.name, url, status: statusName(run.status), log_url: `${url}console.log`, web_url: url, created: isoTime(run.created_at) };
  if (isComplete(run.status)) data["completed"] = isoTime(run.completed_at);
  if (run.host_tag) data["host_tag"] = run.host_tag;
  if (hasTests) data["tests"] = `${url}tests/`;
  if (detail) {
    data["worker_name"] = run.worker_name;
    data["status_events"] = detail.events.map((e) => ({ time: isoTime(e.time), status: statusName(e.status), ...(e.worker ? { worker: e.worker } : {}) }));
  }
  return data;
}

/** An artifact as JobServ lists it: its URL, or with `?version=v2` `{url, size_bytes}`. */
export function artifactJson(runBase: string, a: ArtifactRow, v2: boolean): unknown {
  const url = a.link_url ?? `${runBase}${a.path.split("/").map(enc).join("/")}`;
  return v2 ? { url, size_bytes: a.size } : url;
}

export function testJson(base: string, project: string, n: number, run: string, t: TestWithResults, detailed: boolean, name = t.name): Json {
  const data: Json = {
    name, url: `${runUrl(base, project, n, run)}tests/${enc(t.name)}/`, status: statusName(t.status), context: t.context, created: isoTime(t.created_at),
  };
  if (detailed) data["results"] = t.results.map((r) => ({ name: r.name, context: r.context, status: statusName(r.status), output: r.output }));
  return data;
}
