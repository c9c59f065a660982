// The build JSON posted to notification webhooks and summarised in emails.
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { Store } from "../store/db.js";
import { buildSummaryRows } from "../store/reports.js";
import { consoleLogUrl, runPageUrl } from "../forges/status-request.js";

export interface BuildSummary {
  project: string;
  build_id: number;
  url: string;
  status: string;
  trigger_name: string;
  reason: string;
  params: Record<string, string>;
  created: number;
  completed: number | null;
  runs: { name: string; status: string; url: string; log_url: string }[];
}

export async function loadBuildSummary(store: Store, buildId: number, publicUrl: string): Promise<BuildSummary | undefined> {
  const rows = await buildSummaryRows(store.db, buildId);
  if (!rows) return undefined;
  const { build, runs } = rows;
  const buildUrl = `${publicUrl}/projects/${encodeURIComponent(build.project)}/builds/${build.number}/`;
  return {
    project: build.project,
    build_id: build.number,
    url: buildUrl,
    status: Status[build.status] ?? String(build.status),
    trigger_name: build.trigger_name,
    reason: build.reason,
    params: JSON.parse(build.params_json) as Record<string, string>,
    created: Number(build.created_at),
    completed: build.completed_at === null ? null : Number(build.completed_at),
    runs: runs.map((r) => ({
      name: r.name, status: Status[r.status] ?? String(r.status),
      url: runPageUrl(publicUrl, build.project, build.number, r.name), log_url: consoleLogUrl(publicUrl, build.project, build.number, r.name),
    })),
  };
}

/** JobServ's subject line and a plain-text body (each run with its page). */
export function emailText(s: BuildSummary): { subject: string; text: string } {
  const lines = [
    `Build: ${s.url}`, `Status: ${s.status}`, `Trigger: ${s.trigger_name}`, `Reason: ${s.reason}`, "", "Runs:",
    ...s.runs.map((r) => `  ${r.name}: ${r.status}  ${r.url}`),
  ];
  return { subject: `jobserv: ${s.project} build #${s.build_id} : ${s.status}`, text: lines.join("\n") + "\n" };
}
