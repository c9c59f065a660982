// Recomputes a build's status from its runs after any run changed, and
// records the change as a build event. Compare-and-set, retried, so that
// concurrent refreshes on several instances converge on the same answer.
import type { Status } from "../../gen/jobserv/v1/status_pb.js";
import { findBuildById, setBuildStatus } from "../store/builds.js";
import type { Store } from "../store/db.js";
import { runStatusesOfBuild } from "../store/runs.js";
import type { StatusEvents } from "./events.js";
import { cumulativeStatus, isComplete } from "./status.js";

/** Returns the build's status and whether this call changed it (exactly one caller sees each change). */
export async function refreshBuildStatus(store: Store, events: StatusEvents, buildId: number, now: number): Promise<{ status: Status; changed: boolean } | undefined> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const build = await findBuildById(store.db, buildId);
    if (!build) return undefined;
    const next = cumulativeStatus(await runStatusesOfBuild(store.db, buildId));
    if (next === build.status) return { status: next, changed: false };
    if (await setBuildStatus(store.db, buildId, build.status, next, now, isComplete(next))) {
      events.build({ buildId, status: next });
      return { status: next, changed: true };
    }
  }
  return undefined;
}
