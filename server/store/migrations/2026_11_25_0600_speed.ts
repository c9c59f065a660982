// Scheduler speed. (1) The claim reads the queue in index order: a generated
// `queue_rank` (= -queue_priority) lets "highest priority first, then oldest"
// be an ascending scan of (status, host_tag, queue_rank, id), so on MariaDB
// `FOR UPDATE SKIP LOCKED ... LIMIT n` locks only the n rows it returns (with
// the old index the ORDER BY needed a filesort that locked every queued row,
// and concurrent claimers found nothing). The old queue index stays: DROP
// INDEX has no syntax common to SQLite and MariaDB.
// (2) `run_triggers`: 0 when the run's definition has no chained run-level
// triggers, so a passing run skips that check; 1 (also for older rows) = check.
// Frozen: never import application code here.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("runs").addColumn("queue_rank", "integer", (c) => c.generatedAlwaysAs(sql`0 - queue_priority`)).execute();
  await db.schema.createIndex("runs_claim_idx").on("runs").columns(["status", "host_tag", "queue_rank", "id"]).execute();
  await db.schema.alterTable("runs").addColumn("run_triggers", "integer", (c) => c.notNull().defaultTo(1)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("runs").dropColumn("run_triggers").execute();
  await db.schema.dropIndex("runs_claim_idx").on("runs").execute();
  await db.schema.alterTable("runs").dropColumn("queue_rank").execute();
}
