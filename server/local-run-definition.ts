// What a CLI needs to turn a project YAML file into one run's definition
// without a server (`jobserv exec`): the YAML parsed and checked as the server
// does, the trigger and run chosen by name, and the run definition built as a
// build would, with every secret it needs listed (empty until given).
import type { RunDefinition } from "../gen/jobserv/v1/run_definition_pb.js";
import { buildRunDefinition } from "./builds/run-definition.js";
import { findTrigger } from "./projects/find-trigger.js";
import { parseProjectDefinition } from "./projects/parse.js";

export interface LocalRunChoice {
  /** The project's name (the server would take it from `project apply`). */
  project: string;
  /** The trigger's name; may be left out when the file has only one. */
  trigger: string | undefined;
  /** The run's name; may be left out when the trigger has only one. */
  run: string | undefined;
  params: Record<string, string>;
}

/** No run was named and the trigger has several, or the one named is not there. */
export class RunChoiceError extends Error {
  constructor(readonly runNames: string[]) {
    super(`one of ${runNames.join(", ")}`);
  }
}

/** Throws the project's own definition errors (key path, line and column) and `RunChoiceError`. */
export function localRunDefinition(yaml: string, choice: LocalRunChoice): RunDefinition {
  const def = parseProjectDefinition(yaml);
  const trigger = findTrigger(def, choice.trigger);
  const spec = choice.run ? trigger.runs.find((r) => r.name === choice.run) : trigger.runs.length === 1 ? trigger.runs[0] : undefined;
  if (!spec) throw new RunChoiceError(trigger.runs.map((r) => r.name));
  const rundef = buildRunDefinition(def, trigger, spec, { project: choice.project, build: 0, triggerParams: choice.params, publicUrl: "http://localhost" });
  const needed = [spec.containerAuth, ...(spec.scriptRepo ? (def.scriptRepos[spec.scriptRepo.name]?.token ?? "").split(":") : [])].filter((n): n is string => Boolean(n));
  for (const name of needed) rundef.secrets[name] ??= "";
  return rundef;
}
