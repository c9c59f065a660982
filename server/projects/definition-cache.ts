// Parsed project definitions by YAML text, so hot paths (every run passing
// checks for chained triggers) do not parse the same definition again.
// Bounded: the least recently used entries are dropped.
import { parseProjectDefinition } from "./parse.js";
import type { ProjectDefinition } from "./schema.js";

export class DefinitionCache {
  private readonly entries = new Map<string, ProjectDefinition>();

  constructor(private readonly max = 64) {}

  /** Parses `yaml` (throws ProjectDefinitionError like parseProjectDefinition), or returns the cached result. */
  get(yaml: string): ProjectDefinition {
    const hit = this.entries.get(yaml);
    if (hit) {
      this.entries.delete(yaml);
      this.entries.set(yaml, hit);
      return hit;
    }
    const def = parseProjectDefinition(yaml);
    this.entries.set(yaml, def);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
    return def;
  }
}
