// Chained triggers (JobServ semantics): a run's `triggers` fire when that run
// passes, a trigger's `triggers` when the whole build passes. Both add the
// named trigger's runs to the same build, from the definition the build was
// created with. Run-level chains inherit the parent run's environment and
// secrets plus H_TRIGGER_URL (the parent run); build-level chains get the
// build's params plus H_TRIGGER_URL (the build). A `simple` trigger chained
// from a github_pr or git_poller parent takes the parent's type, so its runs
// check out the code and report statuses like the parent's.
import { fromJsonString } from "@bufbuild/protobuf";
import { RunDefinitionSchema } from "../../gen/jobserv/v1/run_definition_pb.js";
import { findTrigger } from "../projects/find-trigger.js";
import type { ChainedTrigger, ProjectDefinition, TriggerSpec } from "../projects/schema.js";
import { buildWithProject } from "../store/builds.js";
import type { BuildRow, RunRow, WorkerRunRow } from "../store/database.js";
import { isDuplicateKey } from "../store/duplicate-key.js";
import { findRunById, firstRunSecrets, runDefinitionsOfBuild, runNamesOfBuild } from "../store/runs.js";
import type { LifecycleContext } from "./lifecycle-context.js";
import { addQueuedRuns } from "./lifecycle-queue.js";
import { queuedRunRows } from "./queued-runs.js";

const H_VARS = new Set(["H_PROJECT", "H_BUILD", "H_RUN", "H_RUN_URL", "H_WORKER", "H_TRIGGER_URL"]);

interface ChainContext { build: BuildRow; project: string; def: ProjectDefinition }

async function chainContext(ctx: LifecycleContext, buildId: number): Promise<ChainContext> {
  const found = await buildWithProject(ctx.store.db, buildId);
  if (!found) throw new Error(`build ${buildId} vanished`);
  return { build: found.build, project: found.project, def: await ctx.definitions.parse(found.build.definition_yaml ?? found.projectYaml) };
}

/** The runs a chained trigger adds: names from `run-names` (`{name}` = the run's own name). */
function chainedTrigger(def: ProjectDefinition, chained: ChainedTrigger, parentType: string): TriggerSpec {
  const child = findTrigger(def, chained.name);
  const type = child.type === "simple" && (parentType === "github_pr" || parentType === "git_poller") ? parentType : child.type;
  return {
    ...child, type,
    runs: child.runs.map((r) => ({ ...r, name: chained.runNames ? chained.runNames.replaceAll("{name}", r.name) : r.name })),
  };
}

/** Chained runs take the priority of what chained them: the parent run's, or the build's. */
async function addRuns(ctx: LifecycleContext, chain: ChainContext, triggers: TriggerSpec[], params: Record<string, string>, secretsEnc: string,
  priority: number): Promise<void> {
  const runCtx = { project: chain.project, build: chain.build.number, triggerParams: params, publicUrl: ctx.publicUrl() };
  const rows = triggers.flatMap((t) => queuedRunRows(chain.def, t, t.runs, runCtx, chain.build.id, secretsEnc, ctx.now(), priority));
  const names = rows.map((r) => r.name);
  const dupes = names.filter((n, i) => names.indexOf(n) !== i);
  if (dupes.length) throw new Error(`duplicate run names ${[...new Set(dupes)].join(", ")}`);
  const existing = await runNamesOfBuild(ctx.store.db, chain.build.id, names);
  if (existing.length) throw new Error(`the build already has runs named ${existing.join(", ")}`);
  await addQueuedRuns(ctx, chain.build.id, rows);
}

/** A passed run's chained triggers; throws (with the reason) when they cannot be added. */
export async function fireRunChains(ctx: LifecycleContext, run: WorkerRunRow): Promise<void> {
  // Set when the run was queued: most runs chain nothing, and need no reads to find out.
  if (!run.run_triggers) return;
  // A worker's call reads its run without the definition and secrets (findWorkerRun): the few runs that chain read them here.
  const full = await findRunById(ctx.store.db, run.id);
  if (!full) return;
  const parent = fromJsonString(RunDefinitionSchema, full.definition_json);
  const chain = await chainContext(ctx, run.build_id);
  const spec = findTrigger(chain.def, parent.triggerName).runs.find((r) => r.name === run.name);
  if (!spec?.triggers.length) return;
  const params = Object.fromEntries(Object.entries(parent.env).filter(([k]) => !H_VARS.has(k)));
  params["H_TRIGGER_URL"] = parent.runUrl;
  const chained = spec.triggers.map((c) => chainedTrigger(chain.def, c, parent.triggerType));
  const pending = await notFiredBy(ctx, chain.build.id, chained, parent.runUrl);
  if (pending.length) await addRuns(ctx, chain, pending, params, full.secrets_enc, run.queue_priority);
}

/**
 * The chained triggers an earlier pass of the same run has not added yet: a
 * rerun run that passes again leaves the runs it chained the first time alone
 * (they can be rerun on their own). A trigger counts as fired when every one
 * of its runs is in the build with H_TRIGGER_URL = this run; runs of the same
 * names from anywhere else still make addRuns refuse the chain.
 */
async function notFiredBy(ctx: LifecycleContext, buildId: number, triggers: TriggerSpec[], parentUrl: string): Promise<TriggerSpec[]> {
  const existing = await runDefinitionsOfBuild(ctx.store.db, buildId, triggers.flatMap((t) => t.runs.map((r) => r.name)));
  if (!existing.length) return triggers;
  const firedByParent = new Set(existing.filter((r) => fromJsonString(RunDefinitionSchema, r.definition_json).env["H_TRIGGER_URL"] === parentUrl).map((r) => r.name));
  return triggers.filter((t) => !t.runs.every((r) => firedByParent.has(r.name)));
}

/**
 * The build's trigger's chained triggers, once every run passed. Idempotent:
 * a chained trigger whose runs are in the build is not fired again. True when
 * the build has new runs (added here, or by another instance at the same time).
 */
export async function fireBuildChains(ctx: LifecycleContext, buildId: number): Promise<boolean> {
  const chain = await chainContext(ctx, buildId);
  const trigger = findTrigger(chain.def, chain.build.trigger_name);
  if (!trigger.triggers.length) return false;
  const existing = new Set(await runNamesOfBuild(ctx.store.db, buildId));
  const pending = trigger.triggers.map((c) => chainedTrigger(chain.def, c, trigger.type)).filter((t) => !t.runs.some((r) => existing.has(r.name)));
  if (!pending.length) return false;
  const params = { ...(JSON.parse(chain.build.params_json) as Record<string, string>), H_TRIGGER_URL: `${ctx.publicUrl()}/projects/${chain.project}/builds/${chain.build.number}/` };
  try {
    await addRuns(ctx, chain, pending, params, await firstRunSecrets(ctx.store.db, buildId), chain.build.queue_priority);
  } catch (e) {
    // Two runs finishing at once on two instances both fire the chain: the
    // unique (build, name) constraint lets one win; the other has nothing to do.
    if (!isDuplicateKey(e)) throw e;
  }
  return true;
}
