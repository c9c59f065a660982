// The project's trigger names in definition order (a JSON array), written when a definition is applied,
// so GetProject/ListProjects never parse a definition to name its triggers (issue 9). NULL on rows
// written before this migration: readers fall back to the project_triggers rows. Additive. Frozen:
// never import application code here.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("projects").addColumn("trigger_names", sql`longtext`).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("projects").dropColumn("trigger_names").execute();
}
