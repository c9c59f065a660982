// Build transitions: the roll-up of a build's status from its runs (JobServ's
// cumulative rule, a compare-and-set retried so concurrent roll-ups on several
// instances converge), build-level chained triggers before a build could pass
// (so it never shows PASSED in between), the repair of builds a crash left
// behind their runs, and promotion.
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { FailedPreconditionError } from "../errors.js";
import { buildsBehindTheirRuns, findBuildById, promoteBuild, setBuildStatus } from "../store/builds.js";
import { buildRollupState } from "../store/runs.js";
import { fireBuildChains } from "./chain.js";
import { buildEvents, type LifecycleContext } from "./lifecycle-context.js";
import type { LifecycleEvent } from "./lifecycle-events.js";
import { cumulativeStatus, isComplete } from "./status.js";

/**
 * The end of every run transition: its (committed) events are published at
 * once, so watchers, log tails and the dispatcher hear of the run without
 * waiting; then each build rolls up and its change, if any, is published.
 */
export async function publishThenRollup(ctx: LifecycleContext, events: readonly LifecycleEvent[], buildIds: Iterable<number>): Promise<void> {
  ctx.events.publish(events);
  for (const id of new Set(buildIds)) ctx.events.publish(await rollupBuild(ctx, id));
}

/** Brings the build's status in line with its runs (any caller, any number of times); the change's event, unpublished. */
async function rollupBuild(ctx: LifecycleContext, buildId: number): Promise<LifecycleEvent[]> {
  let chainsChecked = false;
  for (let attempt = 0; attempt < 5; attempt++) {
    const state = await buildRollupState(ctx.store.db, buildId);
    if (!state) return [];
    const next = cumulativeStatus(state.runStatuses);
    if (next === state.buildStatus) return [];
    // A promoted build stays PROMOTED while its runs still all pass.
    if (next === Status.PASSED && state.buildStatus === Status.PROMOTED) return [];
    if (next === Status.PASSED && !chainsChecked) {
      chainsChecked = true;
      // Runs added: read the state again (the build is RUNNING, not PASSED).
      if (await fireBuildChains(ctx, buildId)) { attempt--; continue; }
    }
    const now = ctx.now();
    const eventId = await setBuildStatus(ctx.store.db, buildId, state.buildStatus, next, now, isComplete(next));
    if (eventId !== undefined) return buildEvents(ctx, buildId, { eventId, status: next, time: now });
  }
  return [];
}

/** Rolls up builds still open whose runs all completed more than `graceMs` after the build was created (see buildsBehindTheirRuns). */
export async function repairBuilds(ctx: LifecycleContext, graceMs: number): Promise<void> {
  await publishThenRollup(ctx, [], await buildsBehindTheirRuns(ctx.store.db, ctx.now() - graceMs, 100));
}

/** PASSED -> PROMOTED, a release with a name; FailedPreconditionError for a build in any other status. */
export async function promote(ctx: LifecycleContext, buildId: number, name: string, annotation: string): Promise<void> {
  const now = ctx.now();
  const eventId = await promoteBuild(ctx.store.db, buildId, name, annotation, now);
  if (eventId === undefined) {
    const build = await findBuildById(ctx.store.db, buildId);
    throw new FailedPreconditionError(`build ${build?.number ?? buildId} is ${Status[build?.status ?? Status.UNSPECIFIED]}; only a PASSED build can be promoted`);
  }
  ctx.events.publish(await buildEvents(ctx, buildId, { eventId, status: Status.PROMOTED, time: now }));
}
