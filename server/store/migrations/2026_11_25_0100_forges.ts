// Forge gateway schema: seen webhook deliveries (duplicate suppression), the
// git poller's last-seen ref SHAs, and named leases (one active poller across
// instances). Frozen: never import application code here.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable("webhook_deliveries")
    // "<forge>:<delivery id>"; the primary key makes a second insert fail.
    .addColumn("delivery_key", "varchar(200)", (c) => c.primaryKey())
    .addColumn("project_id", "integer", (c) => c.notNull().references("projects.id").onDelete("cascade"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createTable("poller_refs")
    .addColumn("project_id", "integer", (c) => c.notNull().references("projects.id").onDelete("cascade"))
    // sha256 hex of trigger name, URL and ref: a short key for long URLs.
    .addColumn("ref_key", "varchar(64)", (c) => c.notNull())
    .addColumn("trigger_name", "varchar(80)", (c) => c.notNull())
    .addColumn("url", "text", (c) => c.notNull())
    .addColumn("ref", "text", (c) => c.notNull())
    .addColumn("sha", "varchar(64)", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("poller_refs_pk", ["project_id", "ref_key"])
    .execute();
  await db.schema.createTable("named_leases")
    .addColumn("name", "varchar(100)", (c) => c.primaryKey())
    .addColumn("holder", "varchar(100)", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("named_leases").execute();
  await db.schema.dropTable("poller_refs").execute();
  await db.schema.dropTable("webhook_deliveries").execute();
}
