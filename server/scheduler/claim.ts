// Claims queued runs for one worker: QUEUED -> RUNNING by compare-and-set, so
// a run goes to exactly one worker however many instances claim at once. On
// MariaDB/MySQL candidates are read FOR UPDATE SKIP LOCKED inside the claim's
// transaction so concurrent claimers do not queue behind each other's rows.
import type { Kysely } from "kysely";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { hashToken, newToken } from "../auth/tokens.js";
import type { Database } from "../store/database.js";
import type { Store } from "../store/db.js";
import { queuedHostTags, transitionRun } from "../store/runs.js";
import type { WorkerIdentity } from "./connected-workers.js";
import { hostTagMatches } from "./host-tag.js";

/** A claimed run, with the columns its assignment needs (read with the claim, not again). */
export interface ClaimedRun {
  id: number; buildId: number; token: string;
  definitionJson: string; secretsEnc: string; createdAt: number; triggerType: string;
}

type Candidate = { id: number; build_id: number; queue_rank: number; definition_json: string; secrets_enc: string; created_at: number; trigger_type: string };

/** `queuedTags`: the host-tag patterns of queued runs, if the caller already read them. */
export async function claimRuns(store: Store, worker: WorkerIdentity, limit: number, now: number, queuedTags?: readonly string[]): Promise<ClaimedRun[]> {
  if (limit <= 0) return [];
  const tags = queuedTags ?? await queuedHostTags(store.db);
  const matching = tags.filter((p) => hostTagMatches(p, worker));
  if (!matching.length) return [];
  const pick = (db: Kysely<Database>, patterns: string[]): Promise<Candidate[]> =>
    db.selectFrom("runs").select(["id", "build_id", "queue_rank", "definition_json", "secrets_enc", "created_at", "trigger_type"])
      .where("status", "=", Status.QUEUED).where("host_tag", "in", patterns)
      .orderBy("queue_rank").orderBy("id").limit(limit)
      .$if(store.caps.skipLocked, (qb) => qb.forUpdate().skipLocked())
      .execute();
  const claim = async (db: Kysely<Database>): Promise<ClaimedRun[]> => {
    // With row locks, one pattern per query: then the queue index gives the
    // order and SKIP LOCKED locks only the rows returned (an IN list of several
    // patterns needs a sort, which locks every queued row of those patterns).
    const candidates = !store.caps.skipLocked || matching.length === 1 ? await pick(db, matching)
      : (await Promise.all(matching.map((p) => pick(db, [p])))).flat()
        .sort((a, b) => a.queue_rank - b.queue_rank || a.id - b.id).slice(0, limit);
    const claimed: ClaimedRun[] = [];
    for (const c of candidates) {
      const token = newToken();
      const won = await transitionRun(db, c.id, [Status.QUEUED], Status.RUNNING,
        { now, worker: worker.name, acked: 0, tokenHash: hashToken(token), message: "" });
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
