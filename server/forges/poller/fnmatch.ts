// Python's fnmatch (pure), as JobServ matches GIT_POLL_REFS: `*` any run of
// characters (also `/`), `?` one character, `[seq]` / `[!seq]` a set; the
// whole name must match. Written out because glob libraries treat `/` as a
// path separator, which JobServ's patterns do not.

export function fnmatch(name: string, pattern: string): boolean {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? "";
    if (c === "*") re += ".*";
    else if (c === "?") re += ".";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end < 0) { re += "\\["; continue; }
      let set = pattern.slice(i + 1, end).replace(/\\/g, "\\\\");
      if (set.startsWith("!")) set = `^${set.slice(1)}`;
      re += `[${set}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "s").test(name);
}

/** GIT_POLL_REFS: patterns separated by spaces or commas. */
export function matchesAny(ref: string, patterns: string): boolean {
  return patterns.split(/[\s,]+/).filter((p) => p).some((p) => fnmatch(ref, p));
}
