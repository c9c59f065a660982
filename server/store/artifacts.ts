// Repository functions for the artifacts index: which files a run uploaded
// and how big they are. The bytes themselves are in artifact storage.
import type { Kysely } from "kysely";
import type { ArtifactRow, Database } from "./database.js";
import { isDuplicateKey } from "./duplicate-key.js";

/**
 * Records (or re-records, after a repeated upload) `path` of run `runId`.
 * Insert first, update on a duplicate key: the same on both dialects, and
 * (unlike delete-then-insert) it takes no gap locks, so concurrent uploads of
 * one run never deadlock on MariaDB.
 */
export async function recordArtifact(db: Kysely<Database>, row: Omit<ArtifactRow, "link_url">): Promise<void> {
  try {
    await db.insertInto("artifacts").values(row).execute();
  } catch (e) {
    if (!isDuplicateKey(e)) throw e;
    await db.updateTable("artifacts").set({ size: row.size, created_at: row.created_at })
      .where("run_id", "=", row.run_id).where("path", "=", row.path).execute();
  }
}

export async function listArtifacts(db: Kysely<Database>, runId: number): Promise<ArtifactRow[]> {
  const rows = await db.selectFrom("artifacts").selectAll().where("run_id", "=", runId).orderBy("path").execute();
  return rows.map((r) => ({ ...r, size: Number(r.size), created_at: Number(r.created_at) }));
}

export async function findArtifact(db: Kysely<Database>, runId: number, path: string): Promise<ArtifactRow | undefined> {
  const row = await db.selectFrom("artifacts").selectAll().where("run_id", "=", runId).where("path", "=", path).executeTakeFirst();
  return row && { ...row, size: Number(row.size), created_at: Number(row.created_at) };
}

/** Total bytes stored for run `runId`, not counting `exceptPath` (which an upload is about to replace). */
export async function artifactBytes(db: Kysely<Database>, runId: number, exceptPath: string): Promise<number> {
  const row = await db.selectFrom("artifacts").select((eb) => eb.fn.sum<number | string | null>("size").as("total"))
    .where("run_id", "=", runId).where("path", "!=", exceptPath).executeTakeFirst();
  return Number(row?.total ?? 0);
}

/** The names that make up a run's storage keys: project name, build number, run name. */
export async function runKeyParts(db: Kysely<Database>, runId: number): Promise<{ project: string; build: number; run: string } | undefined> {
  const row = await db.selectFrom("runs")
    .innerJoin("builds", "builds.id", "runs.build_id")
    .innerJoin("projects", "projects.id", "builds.project_id")
    .select(["projects.name as project", "builds.number as build", "runs.name as run"])
    .where("runs.id", "=", runId).executeTakeFirst();
  return row && { project: row.project, build: Number(row.build), run: row.run };
}
