// Status arithmetic, pure: which statuses are complete, and JobServ's
// cumulative roll-up of children (runs -> build, results -> test).
import { Status } from "../../gen/jobserv/v1/status_pb.js";

const COMPLETE = new Set([Status.PASSED, Status.FAILED, Status.PROMOTED, Status.SKIPPED]);

export function isComplete(status: Status): boolean {
  return COMPLETE.has(status);
}

/**
 * JobServ's `get_cumulative_status`: rules applied in order, later ones win.
 * A build passes only if every run passed.
 */
export function cumulativeStatus(children: readonly Status[]): Status {
  const has = (s: Status) => children.includes(s);
  let status = Status.QUEUED;
  if (has(Status.RUNNING) || has(Status.UPLOADING) || has(Status.CANCELLING)) {
    status = has(Status.FAILED) || has(Status.CANCELLING) ? Status.RUNNING_WITH_FAILURES : Status.RUNNING;
  }
  if (has(Status.QUEUED) && has(Status.FAILED)) status = Status.RUNNING_WITH_FAILURES;
  if (has(Status.QUEUED) && has(Status.PASSED)) status = Status.RUNNING;
  const terminal = [Status.PASSED, Status.FAILED, Status.SKIPPED];
  if (children.length > 0 && children.every((s) => terminal.includes(s))) {
    status = has(Status.FAILED) ? Status.FAILED : Status.PASSED;
  }
  return status;
}
