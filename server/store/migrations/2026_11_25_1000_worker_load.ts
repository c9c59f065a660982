// Workers' changing facts: free disk, free memory and load, as of the last registration.
// Frozen: never import application code here.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("workers").addColumn("disk_free", "bigint", (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable("workers").addColumn("mem_free", "bigint", (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable("workers").addColumn("load_avg", "double precision", (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("workers").dropColumn("load_avg").execute();
  await db.schema.alterTable("workers").dropColumn("mem_free").execute();
  await db.schema.alterTable("workers").dropColumn("disk_free").execute();
}
