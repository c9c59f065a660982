// Repository function for builds another CI made (JobServ's external builds):
// one transaction creates the build PASSED, its PASSED runs, their status
// events (created == completed) and their artifact links.
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { nextBuildNumber } from "./builds.js";
import type { NewRun } from "./database.js";
import type { Store } from "./db.js";
import { insertRunEventRows } from "./run-events.js";

export interface ExternalBuildRows {
  projectId: number;
  triggerName: string;
  reason: string;
  runs: { row: NewRun; links: { path: string; url: string; size: number }[] }[];
  now: number;
}

export interface CreatedExternalBuild { buildId: number; number: number; eventId: number; runs: { id: number; name: string; eventId: number }[] }

export function insertExternalBuild(store: Store, b: ExternalBuildRows): Promise<CreatedExternalBuild> {
  return store.db.transaction().execute(async (trx) => {
    const number = await nextBuildNumber(trx, store.caps, b.projectId);
    const res = await trx.insertInto("builds").values({
      project_id: b.projectId, number, status: Status.PASSED, trigger_name: b.triggerName, trigger_type: "external", reason: b.reason,
      params_json: "{}", definition_yaml: null, created_at: b.now, completed_at: b.now,
    }).executeTakeFirstOrThrow();
    const buildId = Number(res.insertId);
    const runs: CreatedExternalBuild["runs"] = [];
    for (const r of b.runs) {
      const inserted = await trx.insertInto("runs").values({ ...r.row, build_id: buildId }).executeTakeFirstOrThrow();
      const id = Number(inserted.insertId);
      if (r.links.length) {
        await trx.insertInto("artifacts").values(r.links.map((l) => ({ run_id: id, path: l.path, size: l.size, created_at: b.now, link_url: l.url }))).execute();
      }
      const [eventId] = await insertRunEventRows(trx, store.caps, [{ run_id: id, status: Status.PASSED, worker_name: null, message: "external build", time: b.now }]);
      runs.push({ id, name: r.row.name, eventId: eventId! });
    }
    const event = await trx.insertInto("build_events").values({ build_id: buildId, status: Status.PASSED, time: b.now }).executeTakeFirstOrThrow();
    return { buildId, number, eventId: Number(event.insertId), runs };
  });
}
