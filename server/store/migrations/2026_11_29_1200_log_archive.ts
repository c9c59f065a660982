// Completed logs in artifact storage: a log_chunks row with `archived` = 1 is
// a marker saying its bytes [start_offset, end_offset) are in the storage
// object `<project>/<build>/<run>/console.log` (it has no data of its own).
// The index finds runs whose chunks are still in the store. Additive: older
// servers ignore the column (they never see a marker: they do not archive).
// Frozen: never import application code here.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("log_chunks").addColumn("archived", "smallint", (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.createIndex("log_chunks_archived_idx").on("log_chunks").columns(["archived", "run_id"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("log_chunks_archived_idx").on("log_chunks").execute();
  await db.schema.alterTable("log_chunks").dropColumn("archived").execute();
}
