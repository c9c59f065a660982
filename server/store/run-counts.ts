// Aggregate counts over runs for monitoring: queue depth per host-tag pattern
// and runs per status. Both read the (status, host_tag, ...) queue index.
import type { Kysely } from "kysely";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { Database } from "./database.js";

export async function queuedRunsByHostTag(db: Kysely<Database>): Promise<{ hostTag: string; count: number }[]> {
  const rows = await db.selectFrom("runs").select(["host_tag", (eb) => eb.fn.countAll<number>().as("n")])
    .where("status", "=", Status.QUEUED).groupBy("host_tag").execute();
  return rows.map((r) => ({ hostTag: r.host_tag, count: Number(r.n) }));
}

export async function runsByStatus(db: Kysely<Database>): Promise<Map<Status, number>> {
  const rows = await db.selectFrom("runs").select(["status", (eb) => eb.fn.countAll<number>().as("n")]).groupBy("status").execute();
  return new Map(rows.map((r) => [r.status as Status, Number(r.n)]));
}
