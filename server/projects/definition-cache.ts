// Owns reading project definitions at most once per content: parsed definitions by the SHA-256 of their
// YAML text (bounded, least recently used dropped), so read paths (chained triggers, notifications,
// webhooks, the poller, triggering) reuse what apply already parsed. A miss on a small text parses
// inline (well under a millisecond); a large one goes to the ParsePool, off the event loop.
import { createHash } from "node:crypto";
import { parseProjectDefinition } from "./parse.js";
import { ParsePool } from "./parse-pool.js";
import type { ProjectDefinition } from "./schema.js";
import { loneSurrogateAt } from "./yaml-source.js";

/** Texts up to this many UTF-16 code units parse on the calling thread. */
export const INLINE_PARSE_MAX_CHARS = 16 * 1024;

export class DefinitionCache {
  private readonly entries = new Map<string, ProjectDefinition>();
  private pool: ParsePool | undefined;

  constructor(private readonly max = 64, pool?: ParsePool) {
    this.pool = pool;
  }

  /** The parsed definition (cached), or a ProjectDefinitionError like parseProjectDefinition's. */
  async parse(yaml: string): Promise<ProjectDefinition> {
    // Ill-formed text is refused by the parser; hashing it would replace lone surrogates (U+FFFD) and could collide.
    if (loneSurrogateAt(yaml) >= 0) return parseProjectDefinition(yaml);
    const key = hashOf(yaml);
    const hit = this.hit(key);
    if (hit) return hit;
    const def = yaml.length <= INLINE_PARSE_MAX_CHARS ? parseProjectDefinition(yaml) : await (this.pool ??= new ParsePool()).parse(yaml);
    this.remember(key, def);
    return def;
  }

  /** Starts a parser thread now (servers do, at start). */
  warm(): void {
    (this.pool ??= new ParsePool()).warm();
  }

  /** Ends the parser threads. */
  async close(): Promise<void> {
    await this.pool?.close();
  }

  private hit(key: string): ProjectDefinition | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  private remember(key: string, def: ProjectDefinition): void {
    this.entries.set(key, def);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }
}

function hashOf(yaml: string): string {
  return createHash("sha256").update(yaml).digest("base64");
}
