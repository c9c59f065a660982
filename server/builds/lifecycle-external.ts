// Builds another CI made (JobServ's external builds): recorded PASSED at
// once, created == completed, with PASSED runs whose artifacts are links to
// where that CI keeps the files. Checked here (names, links), stored in one
// transaction, then the build's and runs' events are published like any
// other status change.
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { InvalidArgumentError } from "../errors.js";
import type { ProjectRow } from "../store/database.js";
import { insertExternalBuild } from "../store/external-builds.js";
import type { LifecycleContext } from "./lifecycle-context.js";
import type { BuildIdentity, LifecycleEvent } from "./lifecycle-events.js";

export interface ExternalBuildRequest {
  project: ProjectRow;
  triggerName: string;
  reason: string;
  runs: { name: string; links: { name: string; url: string; sizeBytes: number }[] }[];
}

const RUN_NAME = /^[A-Za-z0-9._-]{1,80}$/;
const LINK_PATH = /^(?!\/)(?!.*(^|\/)\.\.?(\/|$))[^\0]{1,700}$/;

function check(req: ExternalBuildRequest): void {
  if (!req.triggerName) throw new InvalidArgumentError("trigger-name: required");
  if (req.triggerName.length > 80) throw new InvalidArgumentError("trigger-name: at most 80 characters");
  if (!req.runs.length) throw new InvalidArgumentError("runs: at least one run");
  const seen = new Set<string>();
  req.runs.forEach((r, i) => {
    if (!RUN_NAME.test(r.name)) throw new InvalidArgumentError(`runs[${i}].name: "${r.name}" must be 1-80 characters of A-Z a-z 0-9 . _ -`);
    if (seen.has(r.name)) throw new InvalidArgumentError(`runs[${i}].name: "${r.name}" appears twice`);
    seen.add(r.name);
    const paths = new Set<string>();
    r.links.forEach((l, j) => {
      const at = `runs[${i}].artifact-links[${j}]`;
      if (!LINK_PATH.test(l.name)) throw new InvalidArgumentError(`${at}.name: "${l.name}" must be a relative path without . or .. parts`);
      if (paths.has(l.name)) throw new InvalidArgumentError(`${at}.name: "${l.name}" appears twice`);
      paths.add(l.name);
      let url: URL;
      try { url = new URL(l.url); } catch { throw new InvalidArgumentError(`${at}.url: "${l.url}" is not a URL`); }
      if (url.protocol !== "https:" && url.protocol !== "http:") throw new InvalidArgumentError(`${at}.url: http or https only`);
      if (l.url.length > 2048) throw new InvalidArgumentError(`${at}.url: at most 2048 characters`);
      if (!Number.isSafeInteger(l.sizeBytes) || l.sizeBytes < 0) throw new InvalidArgumentError(`${at}.size_bytes: a byte count`);
    });
  });
}

export async function recordExternalBuild(ctx: LifecycleContext, req: ExternalBuildRequest): Promise<{ buildId: number; number: number }> {
  check(req);
  const now = ctx.now();
  const created = await insertExternalBuild(ctx.store, {
    projectId: req.project.id, triggerName: req.triggerName, reason: req.reason, now,
    runs: req.runs.map((r) => ({
      row: {
        build_id: 0, name: r.name, status: Status.PASSED, status_message: "external build", host_tag: "", queue_priority: 0,
        worker_name: null, token_hash: null, acked: 0, log_size: 0, created_at: now, started_at: now, completed_at: now,
        definition_json: "{}", secrets_enc: "", trigger_type: "external", run_triggers: 0,
      },
      links: r.links.map((l) => ({ path: l.name, url: l.url, size: l.sizeBytes })),
    })),
  });
  const build: BuildIdentity = { buildId: created.buildId, buildNumber: created.number, projectId: req.project.id, project: req.project.name, triggerType: "external" };
  ctx.identities.rememberBuild(build);
  const events: LifecycleEvent[] = created.runs.map((r) => {
    const identity = { ...build, runId: r.id, run: r.name };
    ctx.identities.rememberRun(identity);
    return { kind: "run", ...identity, eventId: r.eventId, status: Status.PASSED, worker: null, message: "external build", time: now };
  });
  events.push({ kind: "build", ...build, eventId: created.eventId, status: Status.PASSED, time: now });
  ctx.events.publish(events);
  return { buildId: created.buildId, number: created.number };
}
