// What every lifecycle transition works with, and how its events are made:
// the status-event row(s) recorded, then the event(s) built for publication
// after commit (identities from the cache, see identities.ts).
import type { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { Logger } from "../logger.js";
import type { DefinitionCache } from "../projects/definition-cache.js";
import type { Store } from "../store/db.js";
import { recordRunEvents } from "../store/run-events.js";
import type { Identities } from "./identities.js";
import type { Placement } from "./lifecycle-placement.js";
import type { BuildLifecycleEvent, LifecycleEvents, RunLifecycleEvent } from "./lifecycle-events.js";

/** Appends a line to a run's console log (the lifecycle says why a run failed where people read). */
export interface RunNotes {
  note(runId: number, text: string): Promise<void>;
}

/** What the lifecycle is made from (main.ts). */
export interface LifecycleDeps {
  store: Store;
  now: () => number;
  log: Logger;
  /** Base URL of the API as runs see it (H_RUN_URL, H_TRIGGER_URL); read when runs are queued. */
  publicUrl: () => string;
  /** Where notes about runs go (their console logs). */
  notes: RunNotes;
}

export interface LifecycleContext extends LifecycleDeps {
  definitions: DefinitionCache;
  identities: Identities;
  events: LifecycleEvents;
  /** Idle local workers a trigger's runs may go to in its own commit (lifecycle-placement.ts). */
  placement?: Placement;
}

export interface RunChange {
  status: Status;
  worker: string | null;
  message: string;
  time: number;
  queuedAt?: number;
}

/** The events of changes whose rows are recorded (ids known); a run that vanished meanwhile has none. */
export async function runEvents(ctx: LifecycleContext, changes: readonly (RunChange & { runId: number; eventId: number })[]): Promise<RunLifecycleEvent[]> {
  const out: RunLifecycleEvent[] = [];
  for (const c of changes) {
    const identity = await ctx.identities.run(c.runId);
    if (!identity) { ctx.log.debug({ runId: c.runId }, "lifecycle: run vanished before its event"); continue; }
    out.push({ kind: "run", ...identity, eventId: c.eventId, status: c.status, worker: c.worker, message: c.message, time: c.time,
      ...(c.queuedAt === undefined ? {} : { queuedAt: c.queuedAt }) });
  }
  return out;
}

/** Records the status-event rows of committed run changes (shared multi-row inserts) and returns their events, unpublished. */
export async function recordRunChanges(ctx: LifecycleContext, changes: readonly (RunChange & { runId: number })[]): Promise<RunLifecycleEvent[]> {
  const ids = await recordRunEvents(ctx.store, changes.map((c) => ({ run_id: c.runId, status: c.status, worker_name: c.worker, message: c.message, time: c.time })));
  return runEvents(ctx, changes.map((c, i) => ({ ...c, eventId: ids[i]! })));
}

/** The event of a build change whose row (`eventId`) is recorded, unpublished; none if the build vanished meanwhile. */
export async function buildEvents(ctx: LifecycleContext, buildId: number, change: { eventId: number; status: Status; time: number }): Promise<BuildLifecycleEvent[]> {
  const identity = await ctx.identities.build(buildId);
  if (!identity) { ctx.log.debug({ buildId }, "lifecycle: build vanished before its event"); return []; }
  return [{ kind: "build", ...identity, ...change }];
}
