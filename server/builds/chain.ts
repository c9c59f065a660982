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
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { findTrigger } from "../projects/find-trigger.js";
import type { DefinitionCache } from "../projects/definition-cache.js";
import type { ChainedTrigger, ProjectDefinition, TriggerSpec } from "../projects/schema.js";
import type { BuildRow, RunRow } from "../store/database.js";
import type { Store } from "../store/db.js";
import { findBuildById } from "../store/builds.js";
import { insertRuns } from "../store/runs.js";
import type { StatusEvents } from "./events.js";
import { queuedRunRows } from "./queued-runs.js";

export interface ChainDeps {
  store: Store;
  events: StatusEvents;
  now: () => number;
  publicUrl: string;
  onQueued: () => void;
  definitions: DefinitionCache;
}

const H_VARS = new Set(["H_PROJECT", "H_BUILD", "H_RUN", "H_RUN_URL", "H_WORKER", "H_TRIGGER_URL"]);

async function buildContext(deps: ChainDeps, buildId: number): Promise<{ build: BuildRow; project: string; def: ProjectDefinition }> {
  const { store } = deps;
  const build = await findBuildById(store.db, buildId);
  if (!build) throw new Error(`build ${buildId} vanished`);
  const project = await store.db.selectFrom("projects").select(["name", "definition_yaml"]).where("id", "=", build.project_id).executeTakeFirstOrThrow();
  return { build, project: project.name, def: deps.definitions.get(build.definition_yaml ?? project.definition_yaml) };
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

async function addRuns(deps: ChainDeps, ctx: { build: BuildRow; project: string; def: ProjectDefinition },
  triggers: TriggerSpec[], params: Record<string, string>, secretsEnc: string): Promise<void> {
  const now = deps.now();
  const runCtx = { project: ctx.project, build: ctx.build.number, triggerParams: params, publicUrl: deps.publicUrl };
  const rows = triggers.flatMap((t) => queuedRunRows(ctx.def, t, t.runs, runCtx, ctx.build.id, secretsEnc, now));
  const names = rows.map((r) => r.name);
  const dupes = names.filter((n, i) => names.indexOf(n) !== i);
  if (dupes.length) throw new Error(`duplicate run names ${[...new Set(dupes)].join(", ")}`);
  const existing = await deps.store.db.selectFrom("runs").select("name").where("build_id", "=", ctx.build.id).where("name", "in", names).execute();
  if (existing.length) throw new Error(`the build already has runs named ${existing.map((r) => r.name).join(", ")}`);
  await insertRuns(deps.store.db, rows);
  const added = await deps.store.db.selectFrom("runs").select("id").where("build_id", "=", ctx.build.id).where("name", "in", names).execute();
  for (const r of added) deps.events.run({ runId: r.id, buildId: ctx.build.id, status: Status.QUEUED, worker: null, message: "" });
  deps.onQueued();
}

export async function fireRunTriggers(deps: ChainDeps, run: RunRow): Promise<void> {
  // Set when the run was queued: most runs chain nothing, and need no reads to find out.
  if (!run.run_triggers) return;
  const parent = fromJsonString(RunDefinitionSchema, run.definition_json);
  const ctx = await buildContext(deps, run.build_id);
  const spec = findTrigger(ctx.def, parent.triggerName).runs.find((r) => r.name === run.name);
  if (!spec?.triggers.length) return;
  const params = Object.fromEntries(Object.entries(parent.env).filter(([k]) => !H_VARS.has(k)));
  params["H_TRIGGER_URL"] = parent.runUrl;
  const chained = spec.triggers.map((c) => chainedTrigger(ctx.def, c, parent.triggerType));
  const pending = await notFiredBy(deps, ctx.build.id, chained, parent.runUrl);
  if (pending.length) await addRuns(deps, ctx, pending, params, run.secrets_enc);
}

/**
 * The chained triggers an earlier pass of the same run has not added yet: a
 * rerun run that passes again leaves the runs it chained the first time alone
 * (they can be rerun on their own). A trigger counts as fired when every one
 * of its runs is in the build with H_TRIGGER_URL = this run; runs of the same
 * names from anywhere else still make addRuns refuse the chain.
 */
async function notFiredBy(deps: ChainDeps, buildId: number, triggers: TriggerSpec[], parentUrl: string): Promise<TriggerSpec[]> {
  const names = triggers.flatMap((t) => t.runs.map((r) => r.name));
  const existing = await deps.store.db.selectFrom("runs").select(["name", "definition_json"])
    .where("build_id", "=", buildId).where("name", "in", names).execute();
  if (!existing.length) return triggers;
  const firedByParent = new Set(existing.filter((r) => fromJsonString(RunDefinitionSchema, r.definition_json).env["H_TRIGGER_URL"] === parentUrl).map((r) => r.name));
  return triggers.filter((t) => !t.runs.every((r) => firedByParent.has(r.name)));
}

/** Idempotent: a chained trigger whose runs are already in the build is not fired again. */
export async function fireBuildTriggers(deps: ChainDeps, buildId: number): Promise<void> {
  const ctx = await buildContext(deps, buildId);
  const trigger = findTrigger(ctx.def, ctx.build.trigger_name);
  if (!trigger.triggers.length) return;
  const existing = new Set((await deps.store.db.selectFrom("runs").select("name").where("build_id", "=", buildId).execute()).map((r) => r.name));
  const pending = trigger.triggers.map((c) => chainedTrigger(ctx.def, c, trigger.type)).filter((t) => !t.runs.some((r) => existing.has(r.name)));
  if (!pending.length) return;
  const anyRun = await deps.store.db.selectFrom("runs").select("secrets_enc").where("build_id", "=", buildId).orderBy("id").executeTakeFirst();
  const params = { ...(JSON.parse(ctx.build.params_json) as Record<string, string>), H_TRIGGER_URL: `${deps.publicUrl}/projects/${ctx.project}/builds/${ctx.build.number}/` };
  try {
    await addRuns(deps, ctx, pending, params, anyRun?.secrets_enc ?? "");
  } catch (e) {
    // Two runs finishing at once on two instances both fire the chain: the
    // unique (build, name) constraint lets one win; the other has nothing to do.
    const code = (e as { code?: string }).code ?? "";
    if (code !== "ER_DUP_ENTRY" && !code.startsWith("SQLITE_CONSTRAINT")) throw e;
  }
}
