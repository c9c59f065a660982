// Which queued runs a worker may claim: the host-tag patterns of queued runs
// that match its tags or name. The claim itself (exactly once, whatever the
// number of racing instances) is the lifecycle's QUEUED -> RUNNING transition.
import type { Lifecycle } from "../builds/lifecycle.js";
import type { ClaimedRunRow } from "../store/run-claims.js";
import { queuedHostTags } from "../store/runs.js";
import type { Store } from "../store/db.js";
import type { WorkerIdentity } from "./connected-workers.js";
import { hostTagMatches } from "./host-tag.js";

export type ClaimedRun = ClaimedRunRow;

/** `queuedTags`: the host-tag patterns of queued runs, if the caller already read them. */
export async function claimRuns(store: Store, lifecycle: Lifecycle, worker: WorkerIdentity, limit: number, queuedTags?: readonly string[]): Promise<ClaimedRun[]> {
  if (limit <= 0) return [];
  const tags = queuedTags ?? await queuedHostTags(store.db);
  const matching = tags.filter((p) => hostTagMatches(p, worker));
  if (!matching.length) return [];
  return lifecycle.claim(worker.name, matching, limit);
}
