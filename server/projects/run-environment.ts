// Owns a run's environment (inventory §3.5): project params → trigger params → run params (incl.
// loop values) → params supplied by the trigger source, later wins; then the H_* variables.
import { putOwn } from "./node-readers.js";
import type { ProjectDefinition, RunSpec, TriggerSpec } from "./schema.js";

export interface RunEnvironmentContext {
  project: string;
  build: number;
  /** The run's API URL, set on dispatch. */
  runUrl?: string;
  /** For chained runs: the parent build/run URL. */
  triggerUrl?: string;
}

export function runEnvironment(
  def: ProjectDefinition,
  trigger: TriggerSpec,
  run: RunSpec,
  triggerParams: Record<string, string>,
  h: RunEnvironmentContext,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const layer of [def.params, trigger.params, run.params, triggerParams]) {
    for (const [k, v] of Object.entries(layer)) putOwn(env, k, String(v));
  }
  env["H_PROJECT"] = h.project;
  env["H_BUILD"] = String(h.build);
  env["H_RUN"] = run.name;
  if (h.runUrl !== undefined) env["H_RUN_URL"] = h.runUrl;
  if (h.triggerUrl !== undefined) env["H_TRIGGER_URL"] = h.triggerUrl;
  return env;
}
