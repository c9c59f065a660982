// Recomputes a build's status from its runs after any run changed, and
// records the change as a build event. Compare-and-set, retried, so that
// concurrent refreshes on several instances converge on the same answer.
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { setBuildStatus } from "../store/builds.js";
import type { Store } from "../store/db.js";
import { buildRollupState, type RollupState } from "../store/runs.js";
import type { StatusEvents } from "./events.js";
import { cumulativeStatus, isComplete } from "./status.js";

/**
 * Returns the build's status and whether this call changed it (exactly one caller sees each change).
 * `known`: the build's roll-up state if the caller read it after its own run change (saves the first read).
 */
export async function refreshBuildStatus(store: Store, events: StatusEvents, buildId: number, now: number, known?: RollupState): Promise<{ status: Status; changed: boolean } | undefined> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const state = attempt === 0 && known ? known : await buildRollupState(store.db, buildId);
    if (!state) return undefined;
    const next = cumulativeStatus(state.runStatuses);
    if (next === state.buildStatus) return { status: next, changed: false };
    // A promoted build stays PROMOTED while its runs still all pass.
    if (next === Status.PASSED && state.buildStatus === Status.PROMOTED) return { status: state.buildStatus, changed: false };
    if (await setBuildStatus(store.db, buildId, state.buildStatus, next, now, isComplete(next))) {
      events.build({ buildId, status: next });
      return { status: next, changed: true };
    }
  }
  return undefined;
}
