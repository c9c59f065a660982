// fnmatch-style host-tag matching, as JobServ: a run's host-tag pattern
// (`*`, `?`, `[...]`, `[!...]`) matches a worker if it matches one of the
// worker's tags or its name. Pure; compiled patterns are cached per pattern.
const cache = new Map<string, RegExp>();

export function compileHostTag(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re) return re;
  let src = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") src += ".*";
    else if (c === "?") src += ".";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end < 0) { src += "\\["; continue; }
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith("!");
      if (negate) body = body.slice(1);
      src += `[${negate ? "^" : ""}${body.replace(/[\\\]^]/g, "\\$&")}]`;
      i = end;
    } else src += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  re = new RegExp(`^${src}$`, "i");
  if (cache.size > 10_000) cache.clear();
  cache.set(pattern, re);
  return re;
}

export function hostTagMatches(pattern: string, worker: { name: string; tags: readonly string[] }): boolean {
  const re = compileHostTag(pattern);
  return re.test(worker.name) || worker.tags.some((t) => re.test(t));
}
