// Owns looking up a trigger of a parsed project definition by name (or the only one when unnamed).
import { ProjectDefinitionError } from "./definition-error.js";
import type { ProjectDefinition, TriggerSpec } from "./schema.js";

export function findTrigger(def: ProjectDefinition, name?: string): TriggerSpec {
  const names = def.triggers.map((t) => t.name).join(", ");
  if (name === undefined) {
    const only = def.triggers.length === 1 ? def.triggers[0] : undefined;
    if (only !== undefined) return only;
    throw new ProjectDefinitionError("triggers", undefined, `several triggers; name one of: ${names}`);
  }
  const found = def.triggers.find((t) => t.name === name);
  if (found !== undefined) return found;
  throw new ProjectDefinitionError("triggers", undefined, `no trigger named "${name}"; defined triggers: ${names}`);
}
