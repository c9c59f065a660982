// JobServ's `GET /health/runs/`: the runs queued or active now in the
// projects the caller may read, as `{health: {statuses: {NAME: count},
// QUEUED: [run...], RUNNING: {worker: [run...]}}}` (UPLOADING and CANCELLING
// runs are listed with their worker's RUNNING ones), each run `{project,
// build, run, url, created (its build's creation), host_tag, status}`.
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { openRuns } from "../builds/release-reads.js";
import { projectAccessRows } from "../store/active-runs.js";
import { runUrl } from "./jobserv-json.js";
import { isoTime, sendJsend } from "./jsend.js";
import { requestCaller } from "./rest-access.js";
import type { RestDeps } from "./rest-deps.js";
import type { Route } from "./router.js";

export function restHealthRoutes(deps: RestDeps): Route[] {
  return [{
    method: "GET", path: /^\/health\/runs\/?$/, jsend: true,
    async handle(req, res) {
      const caller = await requestCaller(deps.access, req);
      const ids = (await projectAccessRows(deps.store.db)).filter((p) => deps.access.canRead(caller, p)).map((p) => p.id);
      const { runs, counts } = await openRuns(deps.store, ids);
      const base = deps.publicUrl();
      const queued: unknown[] = [];
      const running: Record<string, unknown[]> = {};
      for (const r of runs) {
        const item = {
          project: r.project, build: r.build_number, run: r.name, url: runUrl(base, r.project, r.build_number, r.name),
          created: isoTime(r.build_created_at), host_tag: r.host_tag, status: Status[r.status],
        };
        if (r.status === Status.QUEUED) queued.push(item);
        else (running[r.worker_name ?? ""] ??= []).push(item);
      }
      const statuses = Object.fromEntries([...counts].map(([s, n]) => [Status[s] ?? String(s), n]));
      sendJsend(res, 200, { health: { statuses, QUEUED: queued, RUNNING: running } });
    },
  }];
}
