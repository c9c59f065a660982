// Python's fnmatch.fnmatchcase (pure), the one shell-pattern matcher: JobServ
// matches run host-tags against worker tags and GIT_POLL_REFS against ref
// names with it. A port of CPython 3.11's fnmatch.translate: `*` any run of
// characters (also `/` and newlines), `?` one character, `[seq]`, `[!seq]`
// (a leading `^` is literal, `]` first is literal, empty ranges like `[z-a]`
// are dropped, `[` without a closing `]` is literal); the whole name must
// match. Checked against a table of Python's own answers
// (test/fixtures/fnmatch/python-answers.json). Compiled patterns are cached.
const cache = new Map<string, RegExp>();

/** Python's `fnmatch.fnmatchcase(name, pattern)`. */
export function fnmatch(name: string, pattern: string): boolean {
  return compileFnmatch(pattern).test(name);
}

export function compileFnmatch(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re) return re;
  re = new RegExp(`^(?:${translate(pattern)})$`, "su");
  if (cache.size > 10_000) cache.clear();
  cache.set(pattern, re);
  return re;
}

const STAR = Symbol("star");
type Piece = string | typeof STAR;

/** The pattern as a JS regular expression source (flags `su`), meaning what Python's translation means. */
function translate(pattern: string): string {
  const pat = Array.from(pattern); // code points, as Python indexes strings
  const n = pat.length;
  const res: Piece[] = [];
  let i = 0;
  while (i < n) {
    const c = pat[i++]!;
    if (c === "*") {
      if (res[res.length - 1] !== STAR) res.push(STAR);
    } else if (c === "?") {
      res.push(".");
    } else if (c === "[") {
      let j = i;
      if (j < n && pat[j] === "!") j++;
      if (j < n && pat[j] === "]") j++;
      while (j < n && pat[j] !== "]") j++;
      if (j >= n) { res.push("\\["); continue; }
      res.push(characterSet(pat, i, j));
      i = j + 1;
    } else {
      res.push(escape(c));
    }
  }
  return joinStars(res);
}

/** `[...]` between indices i (after `[`) and j (the closing `]`). */
function characterSet(pat: string[], start: number, j: number): string {
  const slice = (a: number, b: number) => pat.slice(a, b).join("");
  let i = start;
  let chunks: string[];
  if (!slice(i, j).includes("-")) {
    chunks = [slice(i, j)];
  } else {
    chunks = [];
    let k = pat[i] === "!" ? i + 2 : i + 1;
    for (;;) {
      k = pat.indexOf("-", k);
      if (k < 0 || k >= j) break;
      chunks.push(slice(i, k));
      i = k + 1;
      k = k + 3;
    }
    const chunk = slice(i, j);
    if (chunk) chunks.push(chunk);
    else chunks[chunks.length - 1] += "-";
    // Remove empty ranges (invalid in a regular expression), as Python does.
    for (let m = chunks.length - 1; m > 0; m--) {
      const prev = Array.from(chunks[m - 1]!);
      const next = Array.from(chunks[m]!);
      if (prev.length && next.length && prev[prev.length - 1]!.codePointAt(0)! > next[0]!.codePointAt(0)!) {
        chunks[m - 1] = prev.slice(0, -1).join("") + next.slice(1).join("");
        chunks.splice(m, 1);
      }
    }
  }
  // Python keeps the raw text of each chunk and joins them with range hyphens.
  const raw = chunks.join("-");
  if (!raw) return "(?!)";
  if (raw === "!") return ".";
  const chars = Array.from(raw);
  let negate = false;
  if (chars[0] === "!") { negate = true; chars.shift(); }
  // Chunk boundaries are the range hyphens; every other character is literal.
  const body: string[] = [];
  let offset = negate ? 1 : 0;
  for (const [ci, chunk] of chunks.entries()) {
    const cs = Array.from(chunk).slice(offset);
    offset = 0;
    if (ci > 0) body.push("-");
    body.push(...cs.map(classLiteral));
  }
  return `[${negate ? "^" : ""}${body.join("")}]`;
}

/** One literal character inside a JS character class (flag `u`). */
function classLiteral(c: string): string {
  return /[\\\]\[^-]/.test(c) ? `\\${c}` : c;
}

/** One literal character outside a class (flag `u` allows escaping only syntax characters). */
function escape(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

/**
 * Python turns `*fixed*` into an atomic `(?>.*?fixed)` so matching never
 * backtracks into it; JS has no atomic groups, so the same is spelled
 * `(?=(.*?fixed))\N` (a lookahead's capture, consumed by a back-reference).
 */
function joinStars(pieces: Piece[]): string {
  let out = "";
  let i = 0;
  let group = 0;
  while (i < pieces.length && pieces[i] !== STAR) out += pieces[i++] as string;
  while (i < pieces.length) {
    i++; // the STAR
    if (i === pieces.length) { out += ".*"; break; }
    let fixed = "";
    while (i < pieces.length && pieces[i] !== STAR) fixed += pieces[i++] as string;
    if (i === pieces.length) out += `.*${fixed}`;
    else out += `(?=(.*?${fixed}))\\${++group}`;
  }
  return out;
}
