// Owns the typed readers that check YNode shapes against the schema (maps with known keys, strings,
// booleans, string maps and lists), building key paths and raising ProjectDefinitionError on mismatch.
import { ProjectDefinitionError } from "./definition-error.js";
import type { SourcePos } from "./definition-error.js";
import { childPath, type YEntry, type YMap, type YNode, type YScalar, type YSeq } from "./yaml-source.js";

export { childPath };

export function fail(path: string, pos: SourcePos | undefined, detail: string): never {
  throw new ProjectDefinitionError(path, pos, detail);
}

/** Assigns an own property even for keys like `__proto__`. */
export function putOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

export function describe(node: YNode): string {
  if (node.kind === "map") return "a map";
  if (node.kind === "seq") return "a list";
  switch (node.type) {
    case "string":
      return "a string";
    case "number":
      return `a number (${node.text})`;
    case "boolean":
      return `a boolean (${node.text})`;
    case "null":
      return "nothing (null)";
    default:
      return `an unsupported value (${node.text})`;
  }
}

export function expectMap(node: YNode, path: string): YMap {
  if (node.kind !== "map") fail(path, node.pos, `expected a map, got ${describe(node)}`);
  return node;
}

export function expectSeq(node: YNode, path: string, nonEmpty = false): YSeq {
  if (node.kind !== "seq") fail(path, node.pos, `expected a list, got ${describe(node)}`);
  if (nonEmpty && node.items.length === 0) fail(path, node.pos, "expected a non-empty list");
  return node;
}

/** Rejects keys outside `allowed`, naming the key and the allowed ones. */
export function checkKeys(map: YMap, path: string, allowed: readonly string[]): void {
  for (const e of map.entries) {
    if (allowed.includes(e.key)) continue;
    const near = allowed.find((a) => editDistance(a, e.key) <= 2);
    const hint = near === undefined ? "" : `did you mean "${near}"? `;
    fail(childPath(path, e.key), e.keyPos, `unknown key "${e.key}"; ${hint}allowed keys: ${allowed.join(", ")}`);
  }
}

/** The entry for `key`; an explicit null value counts as absent (as pykwalify does). */
export function optEntry(map: YMap, key: string): YEntry | undefined {
  const e = map.entries.find((x) => x.key === key);
  if (e === undefined) return undefined;
  if (e.value.kind === "scalar" && e.value.type === "null") return undefined;
  return e;
}

export function reqEntry(map: YMap, path: string, key: string): YEntry {
  const e = map.entries.find((x) => x.key === key);
  if (e === undefined) fail(childPath(path, key), map.pos, `missing required key "${key}"`);
  return e;
}

export function readString(node: YNode, path: string): string {
  if (node.kind !== "scalar" || node.type !== "string") fail(path, node.pos, `expected a string, got ${describe(node)}`);
  return node.text;
}

/** Strings, numbers and booleans, stringified as written in the YAML (`3.10` stays "3.10"). */
export function readStringish(node: YNode, path: string): string {
  const ok = node.kind === "scalar" && (node.type === "string" || node.type === "number" || node.type === "boolean");
  if (!ok) fail(path, node.pos, `expected a string, number or boolean, got ${describe(node)}`);
  return (node as YScalar).text;
}

export function readBool(node: YNode, path: string): boolean {
  if (node.kind !== "scalar" || node.type !== "boolean") fail(path, node.pos, `expected a boolean, got ${describe(node)}`);
  return node.value === true;
}

export function readStringMap(
  node: YNode,
  path: string,
  readValue: (n: YNode, p: string) => string = readString,
  keyPattern?: RegExp,
): Record<string, string> {
  const map = expectMap(node, path);
  const out: Record<string, string> = {};
  for (const e of map.entries) {
    const p = childPath(path, e.key);
    if (keyPattern !== undefined && !keyPattern.test(e.key)) {
      fail(p, e.keyPos, `invalid name "${e.key}"; must match ${keyPattern.source}`);
    }
    putOwn(out, e.key, readValue(e.value, p));
  }
  return out;
}

export function readStringList(node: YNode, path: string): string[] {
  return expectSeq(node, path).items.map((it, i) => readString(it, childPath(path, i)));
}

/** Reads an optional key with `read`, or returns undefined when absent/null. */
export function opt<T>(map: YMap, path: string, key: string, read: (n: YNode, p: string) => T): T | undefined {
  const e = optEntry(map, key);
  return e === undefined ? undefined : read(e.value, childPath(path, key));
}

export function req<T>(map: YMap, path: string, key: string, read: (n: YNode, p: string) => T): T {
  return read(reqEntry(map, path, key).value, childPath(path, key));
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2 || b.length > 64) return 99;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = cur;
  }
  return prev[b.length] ?? 99;
}
