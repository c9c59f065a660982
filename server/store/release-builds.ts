// Repository functions for the release workflow's reads and writes of builds:
// the latest build by status and trigger, pages of a project's builds (all or
// promoted) by offset with their total (JobServ's page/limit pagination), a
// promoted build by release name, and a build's annotation.
import type { Kysely } from "kysely";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { BUILD_SUMMARY_COLUMNS, type BuildRow, type BuildSummaryRow, type Database } from "./database.js";

/** The newest build of the project in one of `statuses` (any when undefined), of `triggerName` if given. */
export function latestBuild(db: Kysely<Database>, projectId: number, statuses: readonly Status[] | undefined, triggerName: string): Promise<BuildRow | undefined> {
  return db.selectFrom("builds").selectAll().where("project_id", "=", projectId)
    .$if(statuses !== undefined, (qb) => qb.where("status", "in", [...statuses!]))
    .$if(triggerName !== "", (qb) => qb.where("trigger_name", "=", triggerName))
    .orderBy("number", "desc").limit(1).executeTakeFirst();
}

/** Builds newest first, skipping `offset`, at most `limit`; only PROMOTED ones with `promoted`. */
export function buildsPage(db: Kysely<Database>, projectId: number, offset: number, limit: number, promoted = false): Promise<BuildSummaryRow[]> {
  return db.selectFrom("builds").select(BUILD_SUMMARY_COLUMNS).where("project_id", "=", projectId)
    .$if(promoted, (qb) => qb.where("status", "=", Status.PROMOTED))
    .orderBy("number", "desc").limit(limit).offset(offset).execute();
}

export async function countBuilds(db: Kysely<Database>, projectId: number, promoted = false): Promise<number> {
  const row = await db.selectFrom("builds").select((eb) => eb.fn.countAll<number>().as("n")).where("project_id", "=", projectId)
    .$if(promoted, (qb) => qb.where("status", "=", Status.PROMOTED)).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** The newest promoted build released as `name`. */
export function promotedBuildByName(db: Kysely<Database>, projectId: number, name: string): Promise<BuildRow | undefined> {
  return db.selectFrom("builds").selectAll().where("project_id", "=", projectId).where("status", "=", Status.PROMOTED)
    .where("name", "=", name).orderBy("number", "desc").limit(1).executeTakeFirst();
}

export async function setAnnotation(db: Kysely<Database>, buildId: number, annotation: string): Promise<void> {
  await db.updateTable("builds").set({ annotation }).where("id", "=", buildId).execute();
}
