// Tests the parser's cost bounds and the errors that used to lack a key path: limits on map keys,
// nodes and depth (each naming the limit and where it was hit), a linear duplicate-key check,
// recursive aliases and lone UTF-16 surrogates (JSON `"\ud800"` escapes) reported with key path and position.
import test from "ava";
import { parseProjectDefinition } from "../../../server/projects/parse.js";
import { assertDefinitionError as expectErr, BASE, baseWith, yml } from "./helpers.js";

/** BASE with a `params:` map of `n` keys (P0 on line 3). */
function manyParams(n: number): string {
  const lines = ["timeout: 5", "params:"];
  for (let i = 0; i < n; i++) lines.push(`  P${i}: v${i}`);
  return yml(...lines, ...BASE.slice(1));
}

test("duplicate keys name the key path, line and column", (t) => {
  expectErr(t, yml("timeout: 5", "timeout: 6"), { keyPath: "timeout", line: 2, column: 1, match: /duplicate key "timeout" \(map keys must be unique\)/ });
  expectErr(t, baseWith(1, "timeout: 5", "params:", "  A: 1", "  B: 2", "  A: 3"), { keyPath: "params.A", line: 5, column: 3, match: /duplicate key "A"/ });
  expectErr(t, baseWith(1, "timeout: 5", 'params: {"a b": 1, "a b": 2}'), { keyPath: 'params["a b"]', line: 2, column: 20, match: /duplicate key/ });
});

test("the duplicate-key check is linear: 20x the keys cost far less than 400x the time", (t) => {
  // Relative, so a loaded machine does not decide it: the old check (yaml's uniqueKeys) was quadratic.
  const big = { maxMapKeys: 100_000, maxNodes: 1_000_000 };
  const small = manyParams(2_000);
  const large = manyParams(40_000);
  parseProjectDefinition(small, big); // warm up the JIT
  const timed = (text: string) => {
    const started = performance.now();
    const def = parseProjectDefinition(text, big);
    return { ms: performance.now() - started, keys: Object.keys(def.params).length };
  };
  const a = timed(small);
  const b = timed(large);
  t.is(b.keys, 40_000);
  t.true(b.ms < 80 * a.ms, `2 000 keys: ${a.ms.toFixed(0)} ms, 40 000 keys: ${b.ms.toFixed(0)} ms`);
});

test("a map with more keys than the limit is refused at the first key past it", (t) => {
  const err = expectErr(t, manyParams(20_000), { keyPath: "params", line: 5_003, column: 3, match: /a map with 20000 keys: the limit is 5000 keys per map/ });
  t.is(err.detail, "a map with 20000 keys: the limit is 5000 keys per map");
  // 50 000 keys are 100 000 scalars: the node limit refuses them first, before a full parse.
  expectErr(t, manyParams(50_000), { keyPath: "", line: 25_001, column: 11, match: /too many YAML nodes: the limit is 50000/ });
  expectErr(t, manyParams(11), { keyPath: "params", line: 13, column: 3, match: /limit is 10 keys per map/ }, { maxMapKeys: 10 });
  t.notThrows(() => parseProjectDefinition(manyParams(10), { maxMapKeys: 10 }));
});

test("a document with more nodes than the limit is refused where the limit was hit", (t) => {
  expectErr(t, yml("timeout: 5", "params: {A: [], B: [], C: []}"), { keyPath: "params.B", line: 2, column: 20, match: /too many YAML nodes: the limit is 8/ }, { maxNodes: 8 });
  // Past the limit in scalars: refused after lexing that far (no full parse), with line and column.
  const scalars = yml("timeout: 5", `params: {A: [${Array.from({ length: 60_000 }, () => "1").join(", ")}]}`);
  expectErr(t, scalars, { keyPath: "", line: 2, column: 150_002, match: /^line 2, column 150002: too many YAML nodes: the limit is 50000$/ });
  // Past it in collections: the walk refuses, naming the key path.
  const lists = yml("timeout: 5", `params: {A: [${Array.from({ length: 60_000 }, () => "[]").join(", ")}]}`);
  expectErr(t, lists, { keyPath: "params.A[49993]", line: 2, column: 199_986, match: /too many YAML nodes: the limit is 50000/ });
});

test("nesting deeper than the limit is refused with the path to it", (t) => {
  const deep = (n: number) => baseWith(1, "timeout: 5", `params: ${"[".repeat(n)}${"]".repeat(n)}`);
  expectErr(t, deep(200), { keyPath: `params${"[0]".repeat(63)}`, line: 2, column: 72, match: /nested too deeply: the limit is 64 levels/ });
  expectErr(t, yml("timeout: 5", "params: [[[]]]"), { keyPath: "params[0][0]", line: 2, column: 11, match: /limit is 3 levels/ }, { maxDepth: 3 });
  expectErr(t, yml("timeout: 5", "params: [[]]"), { keyPath: "params", line: 2, column: 9, match: /expected a map, got a list/ }, { maxDepth: 3 });
});

test("a recursive alias names the key path (issue 12)", (t) => {
  expectErr(t, baseWith(1, "timeout: 5", "params:", "  a: &x [*x]"), { keyPath: "params.a[0]", line: 3, column: 10, match: /recursive YAML alias \*x/ });
  expectErr(t, baseWith(1, "timeout: 5", "params: &x {a: *x}"), { keyPath: "params.a", line: 2, column: 16, match: /recursive YAML alias \*x/ });
});

test("lone UTF-16 surrogates are refused with line, column and key path (issue 9 item 7)", (t) => {
  const json = (desc: string) => `{"timeout": 5, "description": "${desc}",\n "triggers": [{"name": "ci", "type": "simple", "runs": [{"name": "a", "container": "alpine", "script": "s"}]}],\n "scripts": {"s": "true"}}`;
  t.notThrows(() => parseProjectDefinition(json("ok \\ud83d\\ude00"))); // a pair is fine
  expectErr(t, json("x\\ud800"), { keyPath: "description", line: 1, column: 31, match: /lone UTF-16 surrogate \\ud800 at character 2: strings must be valid Unicode/ });
  expectErr(t, json("\\udc00"), { keyPath: "description", line: 1, column: 31, match: /\\udc00/ });
  expectErr(t, baseWith(1, "timeout: 5", 'params: {"k\\ud800": v}'), { keyPath: "params", line: 2, column: 10, match: /lone UTF-16 surrogate/ });
  expectErr(t, baseWith(1, "timeout: 5", "params: {A: \"\uD800\"}"), { keyPath: "params.A", line: 2, column: 13, match: /lone UTF-16 surrogate/ });
  expectErr(t, baseWith(1, "timeout: 5 # \uDBFF"), { keyPath: "", line: 1, column: 14, match: /lone UTF-16 surrogate \\udbff: the definition must be valid Unicode/ });
});
