// Hot-path support: an index for the build status roll-up (distinct run
// statuses of one build, on every run status change), and the run's trigger
// type as a column so status listeners can skip runs without reading the
// run definition. Frozen: never import app code here.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex("runs_build_status_idx").on("runs").columns(["build_id", "status"]).execute();
  await db.schema.alterTable("runs").addColumn("trigger_type", "varchar(32)", (c) => c.notNull().defaultTo("")).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("runs").dropColumn("trigger_type").execute();
  await db.schema.dropIndex("runs_build_status_idx").on("runs").execute();
}
