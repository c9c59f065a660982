// Owns the cross-trigger checks on chained triggers: every referenced trigger exists, no cycles, and
// chains nest at most 2 levels below the trigger that starts them (JobServ's _check_trigger_depth).
import { fail } from "./node-readers.js";
import type { ChainRef, ParsedTrigger } from "./parse-trigger.js";

/** root → child → grandchild is allowed; a third chained level is an error. */
export const MAX_CHAIN_DEPTH = 2;

export function checkChains(triggers: readonly ParsedTrigger[]): void {
  const children = new Map<string, string[]>();
  for (const t of triggers) children.set(t.spec.name, [...new Set(t.chains.map((c) => c.name))]);
  const known = triggers.map((t) => JSON.stringify(t.spec.name)).join(", ");
  for (const t of triggers) {
    for (const c of t.chains) {
      if (!children.has(c.name)) fail(c.path, c.pos, `unknown trigger "${c.name}"; defined triggers: ${known}`);
    }
  }
  for (const t of triggers) {
    const firstRefs = new Map<string, ChainRef>();
    for (const c of t.chains) if (!firstRefs.has(c.name)) firstRefs.set(c.name, c);
    for (const c of firstRefs.values()) walk([t.spec.name, c.name], c, children);
  }
}

/** Bounded DFS (at most MAX_CHAIN_DEPTH + 1 edges deep, children de-duplicated). */
function walk(chain: string[], via: ChainRef, children: ReadonlyMap<string, string[]>): void {
  const name = chain[chain.length - 1] ?? "";
  const first = chain.indexOf(name);
  if (first < chain.length - 1) fail(via.path, via.pos, `trigger chain cycle: ${chain.slice(first).join(" → ")}`);
  if (chain.length - 1 > MAX_CHAIN_DEPTH) {
    fail(via.path, via.pos, `trigger chain too deep: ${chain.join(" → ")}; chained triggers may nest at most ${MAX_CHAIN_DEPTH} levels`);
  }
  for (const child of children.get(name) ?? []) walk([...chain, child], via, children);
}
