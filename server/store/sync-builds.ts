// Synchronous projects (JobServ's synchronous_builds) in SQL: which queued
// runs are held back because another build of their project goes first. A
// project's builds run one at a time: a build with active runs goes on; when
// none is active, the first incomplete build by priority (higher first), then
// age goes next. The predicate is part of the claim's candidate read (so held
// runs never take a claim's place) and is checked again, atomically with the
// claim, by whoever claims a run of a synchronous project (run-claims.ts).
import { sql, type Expression, type Kysely, type SqlBool } from "kysely";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { Database } from "./database.js";

const ACTIVE = sql.join([Status.RUNNING, Status.UPLOADING, Status.CANCELLING].map((s) => sql.lit(s)));
const COMPLETE = sql.join([Status.PASSED, Status.FAILED, Status.PROMOTED].map((s) => sql.lit(s)));

/** True for a row of `runs` (the outer table, unaliased) that must wait for another build of its synchronous project. */
export const heldBySyncProject: Expression<SqlBool> = sql<SqlBool>`exists (
  select 1 from builds rb
  join projects sp on sp.id = rb.project_id and sp.synchronous_builds = 1
  join builds ob on ob.project_id = rb.project_id and ob.id <> rb.id and ob.status not in (${COMPLETE})
  where rb.id = runs.build_id
    and not exists (select 1 from runs ar where ar.build_id = rb.id and ar.status in (${ACTIVE}))
    and (ob.queue_priority > rb.queue_priority
      or (ob.queue_priority = rb.queue_priority and ob.id < rb.id)
      or exists (select 1 from runs oa where oa.build_id = ob.id and oa.status in (${ACTIVE}))))`;

/** The id of the run's project when it is synchronous, else null (a select-list expression on `runs`). */
export const syncProjectOfRun = sql<number | null>`(select sb.project_id from builds sb join projects sp on sp.id = sb.project_id
  where sb.id = runs.build_id and sp.synchronous_builds = 1)`;

/**
 * Serialises claims of runs of these synchronous projects until the caller's
 * transaction ends (MariaDB/MySQL row locks on the project rows, in id order
 * so two claimers never wait on each other in a cycle).
 */
export async function lockProjects(db: Kysely<Database>, projectIds: readonly number[]): Promise<void> {
  if (!projectIds.length) return;
  await db.selectFrom("projects").select("id").where("id", "in", [...projectIds].sort((a, b) => a - b)).orderBy("id").forUpdate().execute();
}

/** Of these queued runs, those no other build holds back now (a fresh read: under READ COMMITTED it sees every commit so far). */
export async function notHeld(db: Kysely<Database>, runIds: readonly number[]): Promise<Set<number>> {
  if (!runIds.length) return new Set();
  const rows = await db.selectFrom("runs").select("id").where("id", "in", [...runIds]).where(({ not }) => not(heldBySyncProject)).execute();
  return new Set(rows.map((r) => r.id));
}
