// The claim: QUEUED -> RUNNING by compare-and-set for one worker, so a run
// goes to exactly one worker however many instances claim at once. On
// MariaDB/MySQL candidates are read FOR UPDATE SKIP LOCKED inside the claim's
// transaction so concurrent claimers do not queue behind each other's rows.
// Runs of a synchronous project that another of its builds holds back are no
// candidates; claiming one of its runs locks the project row (MariaDB) and
// checks again, or checks in the claiming UPDATE itself (SQLite), so two
// instances never start two of its builds at once.
import type { Kysely } from "kysely";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { Database } from "./database.js";
import type { Store } from "./db.js";
import { transitionRun } from "./run-transitions.js";
import { heldBySyncProject, lockProjects, notHeld, syncProjectOfRun } from "./sync-builds.js";

/** A claimed run, with the columns its assignment needs (read with the claim, not again). */
export interface ClaimedRunRow {
  id: number; buildId: number; token: string;
  definitionJson: string; secretsEnc: string; createdAt: number; triggerType: string;
}

export interface ClaimRequest {
  worker: string;
  /** Host-tag patterns the worker matches (of those queued). */
  patterns: readonly string[];
  /** At most this many runs. */
  limit: number;
  /** A new run token and its hash, made for each run won (the claim stores the hash). */
  credential: () => { token: string; hash: string };
  now: number;
}

type Candidate = { id: number; build_id: number; queue_rank: number; definition_json: string; secrets_enc: string; created_at: number; trigger_type: string;
  sync_project: number | null };

export async function claimQueuedRuns(store: Store, req: ClaimRequest): Promise<ClaimedRunRow[]> {
  const limit = req.limit;
  if (limit <= 0 || !req.patterns.length) return [];
  const pick = (db: Kysely<Database>, patterns: readonly string[]): Promise<Candidate[]> =>
    db.selectFrom("runs").select(["id", "build_id", "queue_rank", "definition_json", "secrets_enc", "created_at", "trigger_type"])
      .select(syncProjectOfRun.as("sync_project"))
      .where("status", "=", Status.QUEUED).where("host_tag", "in", [...patterns])
      .where(({ not }) => not(heldBySyncProject))
      .orderBy("queue_rank").orderBy("id").limit(limit)
      .$if(store.caps.skipLocked, (qb) => qb.forUpdate().skipLocked())
      .execute();
  const claim = async (db: Kysely<Database>): Promise<ClaimedRunRow[]> => {
    // With row locks, one pattern per query: then the queue index gives the
    // order and SKIP LOCKED locks only the rows returned (an IN list of several
    // patterns needs a sort, which locks every queued row of those patterns).
    let candidates = !store.caps.skipLocked || req.patterns.length === 1 ? await pick(db, req.patterns)
      : (await Promise.all(req.patterns.map((p) => pick(db, [p])))).flat()
        .sort((a, b) => a.queue_rank - b.queue_rank || a.id - b.id).slice(0, limit);
    const sync = candidates.filter((c) => c.sync_project !== null);
    if (sync.length && store.caps.rowLocks) {
      await lockProjects(db, [...new Set(sync.map((c) => c.sync_project!))]);
      const free = await notHeld(db, sync.map((c) => c.id));
      candidates = candidates.filter((c) => c.sync_project === null || free.has(c.id));
    }
    const claimed: ClaimedRunRow[] = [];
    for (const c of candidates) {
      const { token, hash } = req.credential();
      // Without row locks (SQLite: one writer, each statement atomic) the claiming UPDATE checks it again itself.
      const guard = c.sync_project !== null && !store.caps.rowLocks ? heldBySyncProject : undefined;
      const won = await transitionRun(db, c.id, [Status.QUEUED], Status.RUNNING,
        { now: req.now, worker: req.worker, acked: 0, tokenHash: hash, message: "" }, guard);
      if (won) {
        claimed.push({ id: c.id, buildId: c.build_id, token, definitionJson: c.definition_json, secretsEnc: c.secrets_enc,
          createdAt: c.created_at, triggerType: c.trigger_type });
      }
    }
    return claimed;
  };
  if (!store.caps.skipLocked) return claim(store.db);
  // READ COMMITTED: InnoDB then locks only the rows that match, not every row
  // the index scan passed, so claimers of different tags do not collide.
  // A deadlock is still possible under load; the claim is simply retried.
  for (let attempt = 0; ; attempt++) {
    try {
      const trx = store.caps.readCommittedSessions ? store.db.transaction() : store.db.transaction().setIsolationLevel("read committed");
      return await trx.execute(claim);
    } catch (e) {
      if ((e as { code?: string }).code !== "ER_LOCK_DEADLOCK" || attempt >= 4) throw e;
    }
  }
}
