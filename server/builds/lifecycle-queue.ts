// Transitions into QUEUED for new runs: a new build (a trigger) and runs a
// chained trigger adds to an existing build. Each commits the runs with their
// QUEUED events in one transaction, then publishes the events (the
// dispatcher wakes on them). A trigger's transaction also claims runs for
// idle workers connected here (lifecycle-placement.ts): QUEUED -> RUNNING in
// the same commit, pushed to them before the QUEUED events are published.
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { ProjectDefinition, TriggerSpec } from "../projects/schema.js";
import { createBuild, type EarlyTransaction } from "../store/builds.js";
import { runCredential } from "./run-token.js";
import type { NewRun, ProjectRow } from "../store/database.js";
import { insertQueuedRuns, type QueuedRun } from "../store/run-transitions.js";
import type { LifecycleContext } from "./lifecycle-context.js";
import type { BuildIdentity, LifecycleEvent } from "./lifecycle-events.js";
import { queuedRunRows } from "./queued-runs.js";

export interface QueueBuildRequest {
  project: ProjectRow;
  definition: ProjectDefinition;
  /** The YAML `definition` was parsed from; stored with the build (its chained triggers use it). */
  definitionYaml: string;
  trigger: TriggerSpec;
  params: Record<string, string>;
  reason: string;
  /** The trigger's secrets (ciphertext), copied to each run. */
  secretsEnc: string;
  /** Queue priority of the build and its runs (higher first; 0 by default). */
  queuePriority?: number;
  /** The transaction to create the build in, begun while the trigger checked (MariaDB). */
  early?: EarlyTransaction | undefined;
}

/** A new build of `trigger` with its QUEUED runs (numbered in the transaction that creates it). */
export async function queueBuild(ctx: LifecycleContext, req: QueueBuildRequest): Promise<{ buildId: number; number: number }> {
  const now = ctx.now();
  // Idle workers connected here claim in the trigger's own transaction (lifecycle-placement.ts).
  const offer = ctx.placement?.offer(req.trigger.runs.map((r) => r.hostTag));
  const slots = (offer?.workers ?? []).map((w) => ({ worker: w.name, patterns: w.patterns, concurrency: w.concurrency, credential: runCredential, now }));
  let created;
  try {
    created = await createBuild(ctx.store, {
      project_id: req.project.id, trigger_name: req.trigger.name, trigger_type: req.trigger.type, reason: req.reason,
      params_json: JSON.stringify(req.params), definition_yaml: req.definitionYaml, created_at: now,
      queue_priority: req.queuePriority ?? 0,
    }, (number, buildId) => {
      const runCtx = { project: req.project.name, build: number, triggerParams: req.params, publicUrl: ctx.publicUrl() };
      return queuedRunRows(req.definition, req.trigger, req.trigger.runs, runCtx, buildId, req.secretsEnc, now, req.queuePriority ?? 0);
    }, slots, req.project.synchronous_builds === 1, req.early);
  } catch (e) {
    offer?.release();
    throw e;
  }
  const build: BuildIdentity = { buildId: created.buildId, buildNumber: created.number, projectId: req.project.id, project: req.project.name, triggerType: req.trigger.type };
  ctx.identities.rememberBuild(build);
  const events: LifecycleEvent[] = [{ kind: "build", ...build, eventId: created.eventId, status: Status.QUEUED, time: now }];
  events.push(...queuedEvents(ctx, build, created.runs, req.trigger.type, now));
  // Claimed runs go out first: their workers wait for nothing the events' listeners do. Their RUNNING
  // events follow these QUEUED ones as for any claim (`assigned`, recorded once pushed).
  offer?.deliver(slots.map((_, i) => created.claimed[i] ?? []));
  ctx.events.publish(events);
  return { buildId: created.buildId, number: created.number };
}

/**
 * Adds QUEUED runs to an existing build (chained triggers). Throws the
 * store's duplicate-key error when the build already has a run of one of
 * these names (e.g. another instance fired the same chain first).
 */
export async function addQueuedRuns(ctx: LifecycleContext, buildId: number, rows: readonly NewRun[]): Promise<void> {
  const build = await ctx.identities.build(buildId);
  const now = ctx.now();
  const added = await insertQueuedRuns(ctx.store, buildId, rows, now);
  if (!build) return;
  const typeOf = new Map(rows.map((r) => [r.name, r.trigger_type ?? ""]));
  ctx.events.publish(added.flatMap((r) => queuedEvents(ctx, build, [r], typeOf.get(r.name) ?? "", now)));
}

function queuedEvents(ctx: LifecycleContext, build: BuildIdentity, runs: readonly QueuedRun[], triggerType: string, now: number): LifecycleEvent[] {
  return runs.map((r) => {
    const identity = { ...build, runId: r.id, run: r.name, triggerType };
    ctx.identities.rememberRun(identity);
    return { kind: "run", ...identity, eventId: r.eventId, status: Status.QUEUED, worker: null, message: "", time: now };
  });
}
