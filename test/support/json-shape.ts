// Matches a JSON answer against a shape written from JobServ's documented
// responses (test/fixtures/jobserv-rest/): literal values must be equal;
// "$string", "$number", "$boolean", "$null" name a type ("$a|$b" either);
// "$iso" an ISO-8601 time with +00:00; "$url" an absolute URL; "${BASE}" in a
// string is the server's URL. Objects must have exactly the shape's keys
// ("?key" marks an optional one); `{"$each": shape, "$length"?: n}` is a list
// whose every element matches. Returns the mismatches, each with its path.
export type Shape = unknown;

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/;

function typeMatches(t: string, v: unknown): boolean {
  switch (t) {
    case "$string": return typeof v === "string";
    case "$number": return typeof v === "number";
    case "$boolean": return typeof v === "boolean";
    case "$null": return v === null;
    case "$iso": return typeof v === "string" && ISO.test(v);
    case "$url": return typeof v === "string" && /^https?:\/\/[^/]+\//.test(v);
    default: return false;
  }
}

export function shapeMismatches(shape: Shape, value: unknown, base: string, path = "$"): string[] {
  if (typeof shape === "string") {
    if (/^\$[a-z]+(\|\$[a-z]+)*$/.test(shape)) {
      return shape.split("|").some((t) => typeMatches(t, value)) ? [] : [`${path}: ${JSON.stringify(value)} is not ${shape}`];
    }
    const want = shape.replaceAll("${BASE}", base);
    return value === want ? [] : [`${path}: ${JSON.stringify(value)} != ${JSON.stringify(want)}`];
  }
  if (shape === null || typeof shape !== "object") return value === shape ? [] : [`${path}: ${JSON.stringify(value)} != ${JSON.stringify(shape)}`];
  if (Array.isArray(shape)) {
    if (!Array.isArray(value) || value.length !== shape.length) return [`${path}: expected a list of ${shape.length}, got ${JSON.stringify(value)}`];
    return shape.flatMap((s, i) => shapeMismatches(s, value[i], base, `${path}[${i}]`));
  }
  const obj = shape as Record<string, unknown>;
  if ("$each" in obj) {
    if (!Array.isArray(value)) return [`${path}: expected a list, got ${JSON.stringify(value)}`];
    const len = obj["$length"];
    const out = typeof len === "number" && value.length !== len ? [`${path}: ${value.length} items, expected ${len}`] : [];
    return out.concat(value.flatMap((v, i) => shapeMismatches(obj["$each"], v, base, `${path}[${i}]`)));
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [`${path}: expected an object, got ${JSON.stringify(value)}`];
  const got = value as Record<string, unknown>;
  const out: string[] = [];
  const known = new Set<string>();
  for (const [k, s] of Object.entries(obj)) {
    const optional = k.startsWith("?");
    const key = optional ? k.slice(1) : k;
    known.add(key);
    if (!(key in got)) { if (!optional) out.push(`${path}.${key}: missing`); continue; }
    out.push(...shapeMismatches(s, got[key], base, `${path}.${key}`));
  }
  for (const k of Object.keys(got)) if (!known.has(k)) out.push(`${path}.${k}: not in JobServ's shape`);
  return out;
}

/** Replaces "#name" strings by `defs[name]` (recursively). */
export function resolveShape(shape: Shape, defs: Record<string, Shape>): Shape {
  if (typeof shape === "string" && shape.startsWith("#")) {
    const def = defs[shape.slice(1)];
    if (def === undefined) throw new Error(`no shape named ${shape}`);
    return resolveShape(def, defs);
  }
  if (Array.isArray(shape)) return shape.map((s) => resolveShape(s, defs));
  if (shape && typeof shape === "object") return Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, resolveShape(v, defs)]));
  return shape;
}
