// Reads for what the server reports outward on status changes: build
// notifications (email, webhooks) and forge commit statuses.
import type { Kysely } from "kysely";
import type { Database } from "./database.js";

/** What decides a build's notifications: its project's definition and the trigger it came from. */
export function notificationSource(db: Kysely<Database>, buildId: number): Promise<{ projectId: number; definition_yaml: string; trigger_name: string } | undefined> {
  return db.selectFrom("builds").innerJoin("projects", "projects.id", "builds.project_id")
    .select(["projects.id as projectId", "projects.definition_yaml", "builds.trigger_name"]).where("builds.id", "=", buildId).executeTakeFirst();
}

export interface BuildSummaryRows {
  build: { number: number; status: number; trigger_name: string; reason: string; params_json: string; created_at: number; completed_at: number | null; project: string };
  runs: { name: string; status: number }[];
}

/** A build with its project's name, and its runs' names and statuses in creation order. */
export async function buildSummaryRows(db: Kysely<Database>, buildId: number): Promise<BuildSummaryRows | undefined> {
  const build = await db.selectFrom("builds").innerJoin("projects", "projects.id", "builds.project_id")
    .select(["builds.number", "builds.status", "builds.trigger_name", "builds.reason", "builds.params_json", "builds.created_at", "builds.completed_at", "projects.name as project"])
    .where("builds.id", "=", buildId).executeTakeFirst();
  if (!build) return undefined;
  const runs = await db.selectFrom("runs").select(["name", "status"]).where("build_id", "=", buildId).orderBy("id").execute();
  return { build, runs };
}

/** What a run's commit status is made of: names, its definition and secrets, and the build's params. */
export function commitStatusSource(db: Kysely<Database>, runId: number): Promise<{ run: string; definition_json: string; secrets_enc: string; number: number; params_json: string; project: string } | undefined> {
  return db.selectFrom("runs").innerJoin("builds", "builds.id", "runs.build_id")
    .innerJoin("projects", "projects.id", "builds.project_id")
    .select(["runs.name as run", "runs.definition_json", "runs.secrets_enc", "builds.number", "builds.params_json", "projects.name as project"])
    .where("runs.id", "=", runId).executeTakeFirst();
}
