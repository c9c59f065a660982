// Run tokens: made for each claim (the store keeps the hash); a worker acts on
// a run (logs, status, tests, artifacts) only with the token it got with the
// assignment, only while the run is its own and not complete.
import { hashToken, newToken, tokenMatches } from "../auth/tokens.js";
import { NotFoundError, PermissionDeniedError } from "../errors.js";
import type { Store } from "../store/db.js";
import type { WorkerRunRow } from "../store/database.js";
import { findWorkerRun } from "../store/runs.js";
import { isComplete } from "./status.js";

/**
 * Checks that `worker` may act on run `runId` with `token`: the run exists, is
 * assigned to that worker, is not complete, and the token is the run's own.
 * Unknown runs and foreign runs are both NOT_FOUND-or-PERMISSION_DENIED without
 * telling which token would have worked.
 */
export async function authoriseRunToken(store: Store, runId: number, token: string, worker: string, opts: { allowComplete?: boolean } = {}): Promise<WorkerRunRow> {
  const run = await findWorkerRun(store.db, runId);
  if (!run) throw new NotFoundError(`run ${runId} not found`);
  if (!tokenMatches(token, run.token_hash) || run.worker_name !== worker) throw new PermissionDeniedError(`run ${runId} is not assigned to worker ${worker} with this token`);
  if (isComplete(run.status) && !opts.allowComplete) throw new PermissionDeniedError(`run ${runId} is complete; its token is no longer valid`);
  return run;
}

/** A new run token and the hash a claim stores. */
export function runCredential(): { token: string; hash: string } {
  const token = newToken();
  return { token, hash: hashToken(token) };
}
