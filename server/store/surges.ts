// Repository functions for surges: the queue by host-tag pattern, the
// regular (not surge-only) workers online, and the host tags in surge (one
// row each, written by the instance holding the "surge-monitor" lease, read
// by every instance's lease sweep).
import type { Kysely } from "kysely";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { Database, SurgesTable } from "./database.js";

export type SurgeRow = SurgesTable;

/** Queued runs by host-tag pattern. */
export async function queuedByHostTag(db: Kysely<Database>): Promise<Map<string, number>> {
  const rows = await db.selectFrom("runs").select(["host_tag", (eb) => eb.fn.countAll<number>().as("n")])
    .where("status", "=", Status.QUEUED).groupBy("host_tag").execute();
  return new Map(rows.map((r) => [r.host_tag, Number(r.n)]));
}

/** Enlisted regular workers heard from since `since` (themselves or the instance holding their stream), with what surges need to know. */
export function regularWorkersOnline(db: Kysely<Database>, since: number) {
  return db.selectFrom("workers").leftJoin("instances", "instances.id", "workers.held_by")
    .select(["workers.name", "workers.host_tags", "workers.allowed_host_tags", "workers.concurrency"])
    .where("workers.enlisted", "=", 1).where("workers.surges_only", "=", 0)
    .where((eb) => eb.or([eb("workers.last_seen", ">", since), eb("instances.heartbeat_at", ">", since)])).execute();
}

export function listSurges(db: Kysely<Database>): Promise<SurgeRow[]> {
  return db.selectFrom("surges").selectAll().orderBy("host_tag").execute();
}

export async function startSurge(db: Kysely<Database>, row: SurgeRow): Promise<void> {
  await db.insertInto("surges").values(row).execute();
}

export async function updateSurge(db: Kysely<Database>, hostTag: string, queued: number, capacity: number): Promise<void> {
  await db.updateTable("surges").set({ queued, capacity }).where("host_tag", "=", hostTag).execute();
}

export async function endSurge(db: Kysely<Database>, hostTag: string): Promise<void> {
  await db.deleteFrom("surges").where("host_tag", "=", hostTag).execute();
}
