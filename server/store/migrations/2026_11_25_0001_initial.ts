// Initial schema. Frozen: never import application code here; later changes
// are new migration files. Types chosen to mean the same on SQLite and MySQL
// (integers for times, longtext/longblob where MySQL's text would be too small).
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  const id = (col: any) => col.primaryKey().autoIncrement();
  await db.schema.createTable("projects")
    .addColumn("id", "integer", id)
    .addColumn("name", "varchar(80)", (c) => c.notNull().unique())
    .addColumn("definition_yaml", sql`longtext`, (c) => c.notNull())
    .addColumn("last_build_number", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createTable("project_triggers")
    .addColumn("id", "integer", id)
    .addColumn("project_id", "integer", (c) => c.notNull().references("projects.id").onDelete("cascade"))
    .addColumn("name", "varchar(80)", (c) => c.notNull())
    .addColumn("type", "varchar(32)", (c) => c.notNull())
    .addColumn("secrets_enc", "text", (c) => c.notNull())
    .addColumn("queue_priority", "integer", (c) => c.notNull().defaultTo(0))
    .addUniqueConstraint("project_triggers_name_uc", ["project_id", "name"])
    .execute();
  await db.schema.createTable("builds")
    .addColumn("id", "integer", id)
    .addColumn("project_id", "integer", (c) => c.notNull().references("projects.id").onDelete("cascade"))
    .addColumn("number", "integer", (c) => c.notNull())
    .addColumn("status", "integer", (c) => c.notNull())
    .addColumn("trigger_name", "varchar(80)", (c) => c.notNull())
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("params_json", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("completed_at", "bigint")
    .addUniqueConstraint("builds_number_uc", ["project_id", "number"])
    .execute();
  await db.schema.createTable("build_events")
    .addColumn("id", "integer", id)
    .addColumn("build_id", "integer", (c) => c.notNull().references("builds.id").onDelete("cascade"))
    .addColumn("status", "integer", (c) => c.notNull())
    .addColumn("time", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createTable("runs")
    .addColumn("id", "integer", id)
    .addColumn("build_id", "integer", (c) => c.notNull().references("builds.id").onDelete("cascade"))
    .addColumn("name", "varchar(80)", (c) => c.notNull())
    .addColumn("status", "integer", (c) => c.notNull())
    .addColumn("status_message", "text", (c) => c.notNull())
    .addColumn("host_tag", "varchar(255)", (c) => c.notNull())
    .addColumn("queue_priority", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("worker_name", "varchar(80)")
    .addColumn("token_hash", "varchar(64)")
    .addColumn("acked", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("definition_json", sql`longtext`, (c) => c.notNull())
    .addColumn("secrets_enc", "text", (c) => c.notNull())
    .addColumn("log_size", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("started_at", "bigint")
    .addColumn("completed_at", "bigint")
    .addUniqueConstraint("runs_name_uc", ["build_id", "name"])
    .execute();
  await db.schema.createIndex("runs_queue_idx").on("runs").columns(["status", "host_tag", "queue_priority", "id"]).execute();
  await db.schema.createIndex("runs_worker_idx").on("runs").columns(["worker_name", "status"]).execute();
  await db.schema.createTable("run_events")
    .addColumn("id", "integer", id)
    .addColumn("run_id", "integer", (c) => c.notNull().references("runs.id").onDelete("cascade"))
    .addColumn("status", "integer", (c) => c.notNull())
    .addColumn("worker_name", "varchar(80)")
    .addColumn("message", "text", (c) => c.notNull())
    .addColumn("time", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createTable("tests")
    .addColumn("id", "integer", id)
    .addColumn("run_id", "integer", (c) => c.notNull().references("runs.id").onDelete("cascade"))
    .addColumn("name", "varchar(512)", (c) => c.notNull())
    .addColumn("context", "varchar(1024)", (c) => c.notNull())
    .addColumn("status", "integer", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createTable("test_results")
    .addColumn("id", "integer", id)
    .addColumn("test_id", "integer", (c) => c.notNull().references("tests.id").onDelete("cascade"))
    .addColumn("name", "varchar(1024)", (c) => c.notNull())
    .addColumn("context", "varchar(1024)", (c) => c.notNull())
    .addColumn("status", "integer", (c) => c.notNull())
    .addColumn("output", sql`longtext`, (c) => c.notNull())
    .execute();
  await db.schema.createTable("workers")
    .addColumn("name", "varchar(80)", (c) => c.primaryKey())
    .addColumn("token_hash", "varchar(64)", (c) => c.notNull())
    .addColumn("enlisted", "integer", (c) => c.notNull())
    .addColumn("host_tags", "text", (c) => c.notNull())
    .addColumn("concurrency", "integer", (c) => c.notNull())
    .addColumn("distro", "varchar(255)", (c) => c.notNull())
    .addColumn("cpu_type", "varchar(255)", (c) => c.notNull())
    .addColumn("cpu_total", "integer", (c) => c.notNull())
    .addColumn("mem_total", "bigint", (c) => c.notNull())
    .addColumn("version", "varchar(80)", (c) => c.notNull())
    .addColumn("last_seen", "bigint", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createTable("log_chunks")
    .addColumn("run_id", "integer", (c) => c.notNull().references("runs.id").onDelete("cascade"))
    .addColumn("start_offset", "bigint", (c) => c.notNull())
    .addColumn("end_offset", "bigint", (c) => c.notNull())
    .addColumn("data", sql`longblob`, (c) => c.notNull())
    .addPrimaryKeyConstraint("log_chunks_pk", ["run_id", "start_offset"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ["log_chunks", "workers", "test_results", "tests", "run_events", "runs", "build_events", "builds", "project_triggers", "projects"]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
