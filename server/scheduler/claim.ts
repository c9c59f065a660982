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

export interface ClaimedRun { id: number; buildId: number; token: string }

/** `queuedTags`: the host-tag patterns of queued runs, if the caller already read them. */
export async function claimRuns(store: Store, worker: WorkerIdentity, limit: number, now: number, queuedTags?: readonly string[]): Promise<ClaimedRun[]> {
  if (limit <= 0) return [];
  const tags = queuedTags ?? await queuedHostTags(store.db);
  const matching = tags.filter((p) => hostTagMatches(p, worker));
  if (!matching.length) return [];
  const claim = async (db: Kysely<Database>): Promise<ClaimedRun[]> => {
    const candidates = await db.selectFrom("runs").select(["id", "build_id"])
      .where("status", "=", Status.QUEUED).where("host_tag", "in", matching)
      .orderBy("queue_priority", "desc").orderBy("id").limit(limit)
      .$if(store.caps.skipLocked, (qb) => qb.forUpdate().skipLocked())
      .execute();
    const claimed: ClaimedRun[] = [];
    for (const c of candidates) {
      const token = newToken();
      const won = await transitionRun(db, c.id, [Status.QUEUED], Status.RUNNING,
        { now, worker: worker.name, acked: 0, tokenHash: hashToken(token), message: "" });
      if (won) claimed.push({ id: c.id, buildId: c.build_id, token });
    }
    return claimed;
  };
  if (!store.caps.skipLocked) return claim(store.db);
  // READ COMMITTED: InnoDB then locks only the rows that match, not every row
  // the index scan passed, so claimers of different tags do not collide.
  // A deadlock is still possible under load; the claim is simply retried.
  for (let attempt = 0; ; attempt++) {
    try {
      return await store.db.transaction().setIsolationLevel("read committed").execute(claim);
    } catch (e) {
      if ((e as { code?: string }).code !== "ER_LOCK_DEADLOCK" || attempt >= 4) throw e;
    }
  }
}
