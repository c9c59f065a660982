// The artifacts index: one row per file a run uploaded from /archive (the
// bytes live in artifact storage under <project>/<build>/<run>/<path>), and
// an index for listing a run's tests. Frozen: never import application code.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable("artifacts")
    .addColumn("run_id", "integer", (c) => c.notNull().references("runs.id").onDelete("cascade"))
    // 700 x 4 bytes (utf8mb4) + the run id stays under MariaDB's 3072-byte key limit.
    .addColumn("path", "varchar(700)", (c) => c.notNull())
    .addColumn("size", "bigint", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("artifacts_pk", ["run_id", "path"])
    .execute();
  await db.schema.createIndex("tests_run_idx").on("tests").column("run_id").execute();
  await db.schema.createIndex("test_results_test_idx").on("test_results").column("test_id").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("test_results_test_idx").on("test_results").execute();
  await db.schema.dropIndex("tests_run_idx").on("tests").execute();
  await db.schema.dropTable("artifacts").ifExists().execute();
}
