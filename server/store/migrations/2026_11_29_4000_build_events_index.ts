// Index for a build's status history in order (GetBuild reads it on every
// call; SQLite had no index on build_events.build_id and scanned the table).
// Frozen: never import application code here.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex("build_events_build_idx").on("build_events").columns(["build_id", "id"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("build_events_build_idx").on("build_events").execute();
}
