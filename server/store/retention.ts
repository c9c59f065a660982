// Repository functions for retention: projects' policies, the builds a policy
// no longer keeps (never promoted or open ones), what deleting them frees in
// storage, and the deletion (the build row; its runs, events, log chunks,
// tests and artifact rows go with it by the foreign keys' cascades).
import type { Kysely } from "kysely";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { Database } from "./database.js";

export interface RetentionPolicy { projectId: number; project: string; keepBuilds: number; keepDays: number }

export async function setRetention(db: Kysely<Database>, projectId: number, keepBuilds: number, keepDays: number): Promise<void> {
  await db.updateTable("projects").set({ keep_builds: keepBuilds, keep_days: keepDays }).where("id", "=", projectId).execute();
}

/** Projects with a policy (all, or the one named). */
export async function retentionPolicies(db: Kysely<Database>, project?: string): Promise<RetentionPolicy[]> {
  const rows = await db.selectFrom("projects").select(["id", "name", "keep_builds", "keep_days"])
    .where((eb) => eb.or([eb("keep_builds", ">", 0), eb("keep_days", ">", 0)]))
    .$if(project !== undefined, (qb) => qb.where("name", "=", project!)).orderBy("name").execute();
  return rows.map((r) => ({ projectId: r.id, project: r.name, keepBuilds: Number(r.keep_builds), keepDays: Number(r.keep_days) }));
}

export interface PruneCandidate { buildId: number; number: number }

/**
 * Complete, unpromoted builds the policy keeps by neither rule: older than
 * the newest `keepBuilds` (when > 0) and created before `cutoff` (when
 * `keepDays` > 0). Oldest first, at most `limit`.
 */
export async function pruneCandidates(db: Kysely<Database>, p: RetentionPolicy, cutoff: number, limit: number): Promise<PruneCandidate[]> {
  let belowNumber = Number.MAX_SAFE_INTEGER;
  if (p.keepBuilds > 0) {
    const nth = await db.selectFrom("builds").select("number").where("project_id", "=", p.projectId)
      .orderBy("number", "desc").offset(p.keepBuilds - 1).limit(1).executeTakeFirst();
    if (!nth) return [];
    belowNumber = Number(nth.number);
  }
  const rows = await db.selectFrom("builds").select(["id", "number"]).where("project_id", "=", p.projectId)
    .where("number", "<", belowNumber).where("status", "in", [Status.PASSED, Status.FAILED])
    .$if(p.keepDays > 0, (qb) => qb.where("created_at", "<", cutoff))
    .orderBy("number").limit(limit).execute();
  return rows.map((r) => ({ buildId: r.id, number: Number(r.number) }));
}

export interface BuildFootprint {
  runs: { id: number; name: string }[];
  /** Files in storage: artifacts uploaded (not external links). */
  artifactBytes: number;
  /** Log bytes moved to storage (marker rows). */
  movedLogBytes: number;
  /** Runs whose log was moved to storage. */
  movedLogRuns: number[];
}

export async function buildFootprint(db: Kysely<Database>, buildId: number): Promise<BuildFootprint> {
  const runs = await db.selectFrom("runs").select(["id", "name"]).where("build_id", "=", buildId).orderBy("id").execute();
  const ids = runs.map((r) => r.id);
  if (!ids.length) return { runs: [], artifactBytes: 0, movedLogBytes: 0, movedLogRuns: [] };
  const art = await db.selectFrom("artifacts").select((eb) => eb.fn.sum<number | string | null>("size").as("n"))
    .where("run_id", "in", ids).where("link_url", "is", null).executeTakeFirst();
  const moved = await db.selectFrom("log_chunks").select(["run_id", "end_offset"]).where("run_id", "in", ids).where("archived", "=", 1).execute();
  return {
    runs, artifactBytes: Number(art?.n ?? 0),
    movedLogBytes: moved.reduce((n, m) => n + Number(m.end_offset), 0), movedLogRuns: moved.map((m) => Number(m.run_id)),
  };
}

/** Deletes the build if it is still complete and unpromoted (a rerun or promotion since keeps it); whether it did. */
export async function deletePrunedBuild(db: Kysely<Database>, buildId: number): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const runIds = trx.selectFrom("runs").select("id").where("build_id", "=", buildId);
    const testIds = trx.selectFrom("tests").select("id").where("run_id", "in", runIds);
    const still = await trx.selectFrom("builds").select("id").where("id", "=", buildId).where("status", "in", [Status.PASSED, Status.FAILED]).executeTakeFirst();
    if (!still) return false;
    // Children first: the same on both dialects whatever the cascades do.
    await trx.deleteFrom("test_results").where("test_id", "in", testIds).execute();
    await trx.deleteFrom("tests").where("run_id", "in", runIds).execute();
    await trx.deleteFrom("artifacts").where("run_id", "in", runIds).execute();
    await trx.deleteFrom("log_chunks").where("run_id", "in", runIds).execute();
    await trx.deleteFrom("run_events").where("run_id", "in", runIds).execute();
    await trx.deleteFrom("runs").where("build_id", "=", buildId).execute();
    await trx.deleteFrom("build_events").where("build_id", "=", buildId).execute();
    await trx.deleteFrom("builds").where("id", "=", buildId).execute();
    return true;
  });
}
