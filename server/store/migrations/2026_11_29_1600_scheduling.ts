// Scheduling controls: synchronous projects, build priority (copied to
// chained runs; synchronous projects rank their builds by it), surge-only
// workers and the surges in force, and when a worker last reported its free
// disk (with its own threshold, if it sets one); the image digest a run ran.
// Frozen: never import application code here.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("projects").addColumn("synchronous_builds", "integer", (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable("builds").addColumn("queue_priority", "integer", (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable("runs").addColumn("image_digest", "varchar(512)", (c) => c.notNull().defaultTo("")).execute();
  await db.schema.createIndex("builds_project_status_idx").on("builds").columns(["project_id", "status"]).execute();
  await db.schema.alterTable("workers").addColumn("surges_only", "integer", (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable("workers").addColumn("facts_at", "bigint", (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable("workers").addColumn("disk_threshold", "bigint", (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.createTable("surges")
    .addColumn("host_tag", "varchar(255)", (c) => c.primaryKey())
    .addColumn("started_at", "bigint", (c) => c.notNull())
    .addColumn("queued", "integer", (c) => c.notNull())
    .addColumn("capacity", "integer", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("surges").execute();
  await db.schema.alterTable("workers").dropColumn("disk_threshold").execute();
  await db.schema.alterTable("workers").dropColumn("facts_at").execute();
  await db.schema.alterTable("workers").dropColumn("surges_only").execute();
  await db.schema.dropIndex("builds_project_status_idx").on("builds").execute();
  await db.schema.alterTable("runs").dropColumn("image_digest").execute();
  await db.schema.alterTable("builds").dropColumn("queue_priority").execute();
  await db.schema.alterTable("projects").dropColumn("synchronous_builds").execute();
}
