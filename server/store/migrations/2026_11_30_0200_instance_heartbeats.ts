// Liveness by instance: each server instance renews one heartbeat row, and a
// worker's row names the instance holding its Pull stream (`held_by`, set
// when the stream opens, cleared when it closes). A worker is alive while its
// own `last_seen` or its holder's heartbeat is fresh, so an instance holding
// thousands of idle streams renews one row, not one per worker.
// Frozen: never import application code here.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable("instances")
    .addColumn("id", "varchar(64)", (c) => c.primaryKey())
    .addColumn("heartbeat_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.alterTable("workers").addColumn("held_by", "varchar(64)").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("workers").dropColumn("held_by").execute();
  await db.schema.dropTable("instances").execute();
}
