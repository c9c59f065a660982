// Repository functions for builds and build events.
import type { Kysely, Transaction } from "kysely";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { BuildRow, Database } from "./database.js";

/**
 * Allocates the project's next build number inside `trx`. The increment takes
 * the project row's write lock until commit, so concurrent triggers (on any
 * instance) get consecutive numbers, and a rolled-back trigger leaves no gap.
 */
export async function nextBuildNumber(trx: Transaction<Database>, projectId: number): Promise<number> {
  await trx.updateTable("projects").set((eb) => ({ last_build_number: eb("last_build_number", "+", 1) }))
    .where("id", "=", projectId).execute();
  const row = await trx.selectFrom("projects").select("last_build_number").where("id", "=", projectId).executeTakeFirstOrThrow();
  return Number(row.last_build_number);
}

export async function insertBuild(trx: Transaction<Database>, b: Omit<BuildRow, "id" | "completed_at" | "name" | "annotation">): Promise<number> {
  const res = await trx.insertInto("builds").values({ ...b, completed_at: null }).executeTakeFirstOrThrow();
  await trx.insertInto("build_events").values({ build_id: Number(res.insertId), status: b.status, time: b.created_at }).execute();
  return Number(res.insertId);
}

export function findBuild(db: Kysely<Database>, projectId: number, number: number): Promise<BuildRow | undefined> {
  return db.selectFrom("builds").selectAll().where("project_id", "=", projectId).where("number", "=", number).executeTakeFirst();
}

export function findBuildById(db: Kysely<Database>, id: number): Promise<BuildRow | undefined> {
  return db.selectFrom("builds").selectAll().where("id", "=", id).executeTakeFirst();
}

/** Builds newest first, with numbers below `beforeNumber`. */
export function listBuilds(db: Kysely<Database>, projectId: number, beforeNumber: number, limit: number): Promise<BuildRow[]> {
  return db.selectFrom("builds").selectAll().where("project_id", "=", projectId).where("number", "<", beforeNumber)
    .orderBy("number", "desc").limit(limit).execute();
}

/** Compare-and-set of a build's status; false when another writer changed it first. */
export async function setBuildStatus(db: Kysely<Database>, id: number, from: number, to: number, now: number, complete: boolean): Promise<boolean> {
  const res = await db.updateTable("builds").set({ status: to, completed_at: complete ? now : null })
    .where("id", "=", id).where("status", "=", from).executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) return false;
  await db.insertInto("build_events").values({ build_id: id, status: to, time: now }).execute();
  return true;
}


/** PASSED -> PROMOTED with the release name, compare-and-set; false when the build was not PASSED. */
export async function promoteBuild(db: Kysely<Database>, id: number, name: string, annotation: string, now: number): Promise<boolean> {
  const res = await db.updateTable("builds").set({ status: Status.PROMOTED, name, annotation })
    .where("id", "=", id).where("status", "=", Status.PASSED).executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) return false;
  await db.insertInto("build_events").values({ build_id: id, status: Status.PROMOTED, time: now }).execute();
  return true;
}
