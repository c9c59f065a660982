// The release workflow and REST surface (issue 15): per-project retention
// policy, the verdict a worker reported for a run whose tests (driven from
// outside) are still open, tests created from outside (a worker's own report
// replaces only its own), artifact links of external builds, and an index for
// a run name's history across builds. Additive. Frozen: never import
// application code here.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("projects").addColumn("keep_builds", "integer", (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable("projects").addColumn("keep_days", "integer", (c) => c.notNull().defaultTo(0)).execute();
  // 0, or the status (PASSED/FAILED) the worker reported while tests were still open.
  await db.schema.alterTable("runs").addColumn("worker_done", "smallint", (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable("tests").addColumn("external", "smallint", (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable("artifacts").addColumn("link_url", "varchar(2048)").execute();
  await db.schema.createIndex("runs_name_idx").on("runs").columns(["name", "build_id"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("runs_name_idx").on("runs").execute();
  await db.schema.alterTable("artifacts").dropColumn("link_url").execute();
  await db.schema.alterTable("tests").dropColumn("external").execute();
  await db.schema.alterTable("runs").dropColumn("worker_done").execute();
  await db.schema.alterTable("projects").dropColumn("keep_days").execute();
  await db.schema.alterTable("projects").dropColumn("keep_builds").execute();
}
