// The run lifecycle's events carry the trigger type of their build without a
// read: builds keep it (runs already do). Status-event rows are tailed by
// their primary keys, which need no new index. Frozen: never import
// application code here.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("builds").addColumn("trigger_type", "varchar(32)", (c) => c.notNull().defaultTo("")).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("builds").dropColumn("trigger_type").execute();
}
