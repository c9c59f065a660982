// Repository function for a build's status history (the build_events rows
// written with every build status change).
import type { Kysely } from "kysely";
import type { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { Database } from "./database.js";

/** Oldest first. */
export async function listBuildEvents(db: Kysely<Database>, buildId: number): Promise<{ status: Status; time: number }[]> {
  const rows = await db.selectFrom("build_events").select(["status", "time"]).where("build_id", "=", buildId).orderBy("id").execute();
  return rows.map((r) => ({ status: r.status as Status, time: Number(r.time) }));
}
