// Host-tag matching, as JobServ: a run's host-tag pattern (Python fnmatch:
// `*`, `?`, `[...]`, `[!...]`) matches a worker if it matches one of the
// worker's tags or its name. Tags are lower-cased when stored; the pattern
// and the name are compared lower-cased too. Pure.
import { fnmatch } from "../projects/fnmatch.js";

export function hostTagMatches(pattern: string, worker: { name: string; tags: readonly string[] }): boolean {
  const p = pattern.toLowerCase();
  return fnmatch(worker.name.toLowerCase(), p) || worker.tags.some((t) => fnmatch(t, p));
}
