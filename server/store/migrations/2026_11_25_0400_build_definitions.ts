// Each build keeps the project definition it was created from, so chained
// triggers fire from that definition even if the project changed since.
// Frozen: never import application code here.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("builds").addColumn("definition_yaml", sql`longtext`).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("builds").dropColumn("definition_yaml").execute();
}
