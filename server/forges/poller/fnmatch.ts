// GIT_POLL_REFS: fnmatch patterns (Python's, see projects/fnmatch.ts) on full
// ref names, separated by spaces or commas, as JobServ reads them.
import { fnmatch } from "../../projects/fnmatch.js";

export function matchesAny(ref: string, patterns: string): boolean {
  return patterns.split(/[\s,]+/).filter((p) => p).some((p) => fnmatch(ref, p));
}
