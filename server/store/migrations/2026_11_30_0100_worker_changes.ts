// When a worker's row last changed in a way its open Pull streams must follow
// (enlisted, allowed or reported host tags, free disk, surge-only), and which
// workers were deleted when: the lease sweep re-reads only those rows instead
// of every connected worker's each sweep.
// Frozen: never import application code here.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("workers").addColumn("changed_at", "bigint", (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.createIndex("workers_changed_at_idx").on("workers").column("changed_at").execute();
  await db.schema.createTable("worker_deletions")
    .addColumn("name", "varchar(80)", (c) => c.primaryKey())
    .addColumn("deleted_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("worker_deletions_at_idx").on("worker_deletions").column("deleted_at").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("worker_deletions").execute();
  await db.schema.dropIndex("workers_changed_at_idx").on("workers").execute();
  await db.schema.alterTable("workers").dropColumn("changed_at").execute();
}
