// Deterministic fuzz of parseProjectDefinition: thousands of mutated versions of the valid fixtures
// (structural: delete/duplicate/retype/rename/share keys; textual: random chars, bytes, deletions,
// truncation, line shuffles). Every call must return a sane definition or throw ProjectDefinitionError.
import test from "ava";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { ProjectDefinitionError } from "../../../server/projects/definition-error.js";
import { parseProjectDefinition } from "../../../server/projects/parse.js";
import type { ProjectDefinition } from "../../../server/projects/schema.js";
import { FIXTURES, fixture } from "./helpers.js";

const CASES = Number(process.env["FUZZ_CASES"] ?? 1500);
const SEED = Number(process.env["FUZZ_SEED"] ?? 0x5eed_2024);

type Rng = () => number;

/** mulberry32: tiny seeded PRNG returning floats in [0, 1). */
function prng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (r: Rng, n: number): number => Math.floor(r() * n);
function pick<T>(r: Rng, xs: readonly T[]): T {
  const x = xs[int(r, xs.length)];
  if (x === undefined) throw new Error("pick from empty list");
  return x;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Container = Json[] | { [k: string]: Json };

/** Every map/list in the document (mutations may share or even nest subtrees: visited once). */
function containers(v: Json, out: Container[] = []): Container[] {
  if (v !== null && typeof v === "object" && !out.includes(v)) {
    out.push(v);
    for (const c of Array.isArray(v) ? v : Object.values(v)) containers(c, out);
  }
  return out;
}

function randomValue(r: Rng, shared: Json): Json {
  return pick<() => Json>(r, [
    () => null, () => true, () => "yes", () => int(r, 200) - 100, () => 1.5, () => "",
    () => "x".repeat(int(r, 120)), () => "{loop}", () => "../../etc", () => "(?P<x", () => "name with space",
    () => [], () => ({}), () => ["a", 1, null], () => ({ name: "x", values: ["a"] }), () => shared,
  ])();
}

function mutateStructure(r: Rng, doc: Json): Json {
  const all = containers(doc);
  const target = pick(r, all);
  const keys = Array.isArray(target) ? target.map((_, i) => String(i)) : Object.keys(target);
  const key = keys.length > 0 ? pick(r, keys) : "0";
  const get = (k: string): Json => (Array.isArray(target) ? (target[Number(k)] ?? null) : (target[k] ?? null));
  const set = (k: string, v: Json): void => {
    if (Array.isArray(target)) target[Number(k)] = v;
    else target[k] = v;
  };
  switch (int(r, 7)) {
    case 0: // delete
      if (Array.isArray(target)) target.splice(Number(key), 1);
      else delete target[key];
      break;
    case 1: // duplicate (a shared reference becomes an alias when stringified)
      if (Array.isArray(target)) target.push(r() < 0.5 ? get(key) : structuredClone(get(key)));
      else target[`${key}${int(r, 3)}`] = get(key);
      break;
    case 2: // retype
      set(key, randomValue(r, pick(r, all)));
      break;
    case 3: // rename key / typo
      if (!Array.isArray(target)) {
        const v = get(key);
        delete target[key];
        target[pick(r, [key.toUpperCase(), key.slice(1), `${key}s`, key.replace("-", "_"), "host-tag", "loop-on"])] = v;
      }
      break;
    case 4: // copy a sibling's value
      if (keys.length > 0) set(key, get(pick(r, keys)));
      break;
    case 5: // add a loop-on / triggers to something
      if (!Array.isArray(target)) {
        target[pick(r, ["loop-on", "triggers", "host-tag", "script-repo"])] = pick<Json>(r, [
          [{ param: "P", values: ["a", "b"] }],
          [{ param: "host-tag", values: ["X", "y"] }],
          [{ name: "{loop}" }],
          { name: "missing", path: "p" },
        ]);
      }
      break;
    default: // stringify a subtree's scalars into a number
      set(key, 7);
  }
  return doc;
}

const CHARS = [":", "-", "[", "]", "{", "}", "&a", "*a", "!!", "#", "'", '"', "\n", "\t", " ", "|", ">", "%", "@", "\0", "\u00e9", "\ud83d", "<<: ", "? ", "---\n", "\\"];

function mutateText(r: Rng, text: string): string {
  const at = int(r, text.length + 1);
  switch (int(r, 7)) {
    case 0:
      return text.slice(0, at) + pick(r, CHARS) + text.slice(at);
    case 1:
      return text.slice(0, at) + String.fromCharCode(int(r, 256)) + text.slice(at);
    case 2:
      return text.slice(0, at) + text.slice(at + 1 + int(r, 20));
    case 3:
      return text.slice(0, at);
    default: {
      const lines = text.split("\n");
      const i = int(r, lines.length);
      const j = int(r, lines.length);
      const li = lines[i] ?? "";
      if (r() < 0.33) lines.splice(j, 0, li);
      else if (r() < 0.5) [lines[i], lines[j]] = [lines[j] ?? "", li];
      else lines[i] = r() < 0.5 ? `  ${li}` : li.replace(/^ {1,2}/, "");
      return lines.join("\n");
    }
  }
}

function checkSane(t: { true: (v: boolean, m?: string) => void }, def: ProjectDefinition): void {
  t.true(Number.isSafeInteger(def.timeoutSeconds) && def.timeoutSeconds > 0, "timeout");
  t.true(def.triggers.length > 0, "triggers");
  for (const tr of def.triggers) {
    const names = tr.runs.map((run) => run.name);
    t.true(new Set(names).size === names.length && names.length > 0, "unique run names");
    for (const run of tr.runs) {
      t.true(/^[A-Za-z0-9._-]+$/.test(run.name) && run.name.length < 80, `run name ${run.name}`);
      t.true(run.hostTag === run.hostTag.toLowerCase() && run.hostTag !== "", "host tag");
      t.true((run.script === undefined) !== (run.scriptRepo === undefined), "script xor script-repo");
      t.true(Object.values(run.params).every((v) => typeof v === "string"), "params are strings");
    }
  }
}

test(`fuzz: ${CASES} mutated definitions only ever yield a definition or a ProjectDefinitionError`, (t) => {
  const r = prng(SEED);
  const sources = FIXTURES.map(fixture);
  const started = performance.now();
  let ok = 0;
  let rejected = 0;
  for (let n = 0; n < CASES; n++) {
    const base = pick(r, sources);
    let text: string;
    if (n % 2 === 0) {
      let doc = parseYaml(base) as Json;
      for (let k = 1 + int(r, 3); k > 0; k--) doc = mutateStructure(r, doc);
      text = stringifyYaml(doc);
    } else {
      text = base;
      for (let k = 1 + int(r, 3); k > 0; k--) text = mutateText(r, text);
    }
    try {
      checkSane(t, parseProjectDefinition(text));
      ok++;
    } catch (e) {
      if (!(e instanceof ProjectDefinitionError)) {
        t.fail(`case ${n} threw ${String(e)}\n--- input ---\n${text}`);
        return;
      }
      t.true(e.keyPath !== "" || e.detail !== "", `case ${n}: empty error`);
      t.true(e.message.length > 0);
      // wrapped unexpected exceptions would mean a parser bug, not a bad definition
      t.false(e.detail.startsWith("could not parse project definition"), `case ${n}: ${e.message}\n${text}`);
      rejected++;
    }
  }
  const ms = performance.now() - started;
  t.log(`${ok} accepted, ${rejected} rejected in ${ms.toFixed(0)} ms`);
  t.true(ok > 50 && rejected > 50, `both outcomes exercised (${ok} ok, ${rejected} rejected)`);
});
