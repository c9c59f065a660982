// Promoted builds' name and annotation, and workers' allowed host tags.
// Frozen: never import application code here.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("builds").addColumn("name", "varchar(200)", (c) => c.notNull().defaultTo("")).execute();
  await db.schema.alterTable("builds").addColumn("annotation", "text").execute();
  await db.schema.alterTable("workers").addColumn("allowed_host_tags", "varchar(2000)", (c) => c.notNull().defaultTo("[]")).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("workers").dropColumn("allowed_host_tags").execute();
  await db.schema.alterTable("builds").dropColumn("annotation").execute();
  await db.schema.alterTable("builds").dropColumn("name").execute();
}
