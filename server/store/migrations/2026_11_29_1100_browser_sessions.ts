// Browser sessions (issue 11): a cookie made from an API token at /login. Only
// a sha256 of the cookie's secret is stored. Frozen: never import application code here.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable("browser_sessions")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("secret_hash", "varchar(64)", (c) => c.notNull().unique())
    .addColumn("token_id", "integer", (c) => c.notNull().references("api_tokens.id").onDelete("cascade"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("browser_sessions_expiry_idx").on("browser_sessions").column("expires_at").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("browser_sessions").execute();
}
