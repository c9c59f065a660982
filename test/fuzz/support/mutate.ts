// Seeded mutators for the fuzz suite: from a valid input (text, bytes or a
// parsed JSON/YAML value) one damaged variant per call, chosen and shaped by
// the PRNG so a case is replayed from (seed, index). Byte level: flips,
// truncation, duplication, insertion of unicode edge cases (lone surrogates,
// BOM, NUL, overlong UTF-8). Value level: type swaps, deep nesting, huge
// numbers, removed or duplicated keys, very long strings, many keys.
import type { Prng } from "../../support/prng.js";

export interface Mutation<T> {
  value: T;
  /** What was done, for the failure message. */
  what: string;
}

/** Strings that break naive handling: lone surrogates, BOM, NUL, RTL override, combining marks, emoji, line separators. */
export const UNICODE_EDGES: readonly string[] = [
  "\ud800", "\udfff", "\ud83d", "\ufeff", "\u0000", "\u202e", "e\u0301\u0301\u0301", "\u{1f600}", "\u2028\u2029", "\uffff", "\r\n\r", "\t\v\f",
  "%00", "${x}", "{{x}}", "'\"`", "\\", "../../etc/passwd", "*&a", "!!binary", "<<: *a", "- - -", ": :", "#",
];

/** Bytes that are not valid UTF-8 (overlong, truncated sequences, surrogates encoded as UTF-8, 0xff). */
const BAD_UTF8: readonly number[][] = [[0xc0, 0xaf], [0xe0, 0x80], [0xed, 0xa0, 0x80], [0xff], [0xf4, 0x90, 0x80, 0x80], [0xc3]];

const HUGE_NUMBERS: readonly unknown[] = [
  1e308, -1e308, 2 ** 53 + 1, -(2 ** 63), 18446744073709551616, 1e-320, 0.1, -0, Number.MAX_SAFE_INTEGER * 1000,
];

function pick<T>(r: Prng, items: readonly T[]): T { return r.pick(items); }

/** A byte-level mutation of `input` (any bytes: JSON, YAML, protobuf, an envelope). */
export function mutateBytes(r: Prng, input: Uint8Array): Mutation<Uint8Array> {
  const b = Buffer.from(input);
  const at = () => r.int(Math.max(1, b.length));
  switch (r.int(8)) {
    case 0: {
      const n = 1 + r.int(8);
      for (let i = 0; i < n && b.length > 0; i++) b[at()] ^= 1 << r.int(8);
      return { value: b, what: `${n} bit flips` };
    }
    case 1: {
      const len = r.int(b.length + 1);
      return { value: b.subarray(0, len), what: `truncated to ${len} of ${b.length} bytes` };
    }
    case 2: {
      const from = at(), len = 1 + r.int(Math.max(1, b.length - from)), times = 1 + r.int(64);
      const slice = b.subarray(from, from + len);
      const value = Buffer.concat([b.subarray(0, from), ...Array.from({ length: times }, () => slice), b.subarray(from)]);
      return { value, what: `bytes ${from}+${len} repeated ${times}×` };
    }
    case 3: {
      const pos = at(), bytes = Buffer.from(pick(r, BAD_UTF8));
      return { value: Buffer.concat([b.subarray(0, pos), bytes, b.subarray(pos)]), what: `invalid UTF-8 ${bytes.toString("hex")} at ${pos}` };
    }
    case 4: {
      const pos = at(), s = pick(r, UNICODE_EDGES);
      return { value: Buffer.concat([b.subarray(0, pos), Buffer.from(s, "utf8"), b.subarray(pos)]), what: `${JSON.stringify(s)} inserted at ${pos}` };
    }
    case 5: {
      const pos = at(), len = 1 + r.int(16);
      const junk = Buffer.from(Array.from({ length: len }, () => r.int(256)));
      return { value: Buffer.concat([b.subarray(0, pos), junk, b.subarray(pos)]), what: `${len} random bytes at ${pos}` };
    }
    case 6: {
      const from = at(), len = 1 + r.int(32);
      return { value: Buffer.concat([b.subarray(0, from), b.subarray(from + len)]), what: `${len} bytes deleted at ${from}` };
    }
    default: {
      const len = r.int(64);
      return { value: Buffer.from(Array.from({ length: len }, () => r.int(256))), what: `${len} random bytes instead` };
    }
  }
}

/** A text-level mutation (bytes mutated, read back as UTF-8 with replacement characters). */
export function mutateText(r: Prng, input: string): Mutation<string> {
  const m = mutateBytes(r, Buffer.from(input, "utf8"));
  return { value: Buffer.from(m.value).toString("utf8"), what: m.what };
}

type Path = (string | number)[];

/** Every path to a value inside `v` (objects and arrays), the root included. */
function paths(v: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (out.length > 5000) return out;
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

function setAt(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  let cur = root as Record<string | number, unknown>;
  for (const p of path.slice(0, -1)) cur = cur[p] as Record<string | number, unknown>;
  cur[path.at(-1)!] = value;
  return root;
}

function getAt(root: unknown, path: Path): unknown {
  let cur = root;
  for (const p of path) cur = (cur as Record<string | number, unknown>)[p];
  return cur;
}

/** A value replacing another of a different type. */
function otherValue(r: Prng, old: unknown): unknown {
  const choices: unknown[] = [null, true, 0, -1, "", "x", [], {}, [old], { k: old }, pick(r, HUGE_NUMBERS), pick(r, UNICODE_EDGES), String(old)];
  return pick(r, choices);
}

function nested(r: Prng, depth: number, inner: unknown): unknown {
  let v = inner;
  const arrays = r.int(2) === 0;
  for (let i = 0; i < depth; i++) v = arrays ? [v] : { a: v };
  return v;
}

/**
 * A structural mutation of a JSON-like value (a deep copy is changed). `big`
 * allows the expensive shapes (thousands of keys, deep nesting, megabyte strings).
 */
export function mutateValue(r: Prng, input: unknown, big = true): Mutation<unknown> {
  const root = structuredClone(input);
  const all = paths(root);
  const path = pick(r, all);
  const where = path.join(".") || "(root)";
  const old = getAt(root, path);
  const kinds = big ? 9 : 6;
  switch (r.int(kinds)) {
    case 0: return { value: setAt(root, path, otherValue(r, old)), what: `${where}: type swapped` };
    case 1: return { value: setAt(root, path, pick(r, HUGE_NUMBERS)), what: `${where}: huge number` };
    case 2: {
      const s = Array.from({ length: 1 + r.int(4) }, () => pick(r, UNICODE_EDGES)).join(typeof old === "string" ? old : "");
      return { value: setAt(root, path, s), what: `${where}: unicode edge ${JSON.stringify(s).slice(0, 40)}` };
    }
    case 3: {
      if (path.length === 0) return { value: [], what: "root replaced by []" };
      const parent = getAt(root, path.slice(0, -1));
      if (Array.isArray(parent)) parent.splice(Number(path.at(-1)), 1);
      else delete (parent as Record<string, unknown>)[String(path.at(-1))];
      return { value: root, what: `${where}: removed` };
    }
    case 4: {
      if (Array.isArray(old)) { old.push(...old, ...old); return { value: root, what: `${where}: items tripled` }; }
      if (old && typeof old === "object") { (old as Record<string, unknown>)["extra-" + r.int(100)] = structuredClone(old); return { value: root, what: `${where}: copied into itself` }; }
      return { value: setAt(root, path, [old, old]), what: `${where}: doubled` };
    }
    case 5: return { value: setAt(root, path, nested(r, 2 + r.int(30), old)), what: `${where}: nested a little` };
    case 6: {
      const depth = 200 + r.int(3000);
      return { value: setAt(root, path, nested(r, depth, old)), what: `${where}: nested ${depth} deep` };
    }
    case 7: {
      const n = 1000 + r.int(20_000);
      const many: Record<string, string> = {};
      for (let i = 0; i < n; i++) many[`K${i}`] = `v${i}`;
      return { value: setAt(root, path, many), what: `${where}: ${n} keys` };
    }
    default: {
      const len = 10_000 + r.int(1_000_000);
      return { value: setAt(root, path, "x".repeat(len)), what: `${where}: ${len}-character string` };
    }
  }
}
