// Index for the sweep that repairs builds left behind their runs (open builds
// by status). Frozen: never import application code here.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex("builds_status_idx").on("builds").columns(["status", "created_at"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("builds_status_idx").on("builds").execute();
}
