// Tests that each kind of invalid project definition raises ProjectDefinitionError with the right
// key path, 1-based line/column (offending key or value; the parent map for a missing key) and text.
import test from "ava";
import { parseProjectDefinition } from "../../../server/projects/parse.js";
import { assertDefinitionError as expectErr, BASE, baseWith, yml } from "./helpers.js";

test("message format: keyPath (line, column): detail", (t) => {
  const err = expectErr(t, baseWith(11, "        script: build"), { keyPath: "triggers[0].runs[1].script", line: 11, column: 17 });
  t.is(err.message, 'triggers[0].runs[1].script (line 11, column 17): unknown script "build"; defined scripts: lint, test');
  t.is(err.detail, 'unknown script "build"; defined scripts: lint, test');
  t.true(err instanceof Error);
  t.is(err.name, "ProjectDefinitionError");
});

test("YAML syntax errors carry the parser's position", (t) => {
  expectErr(t, yml("timeout: 5", "triggers: [a, b", "scripts: {}"), { keyPath: "", line: 3, column: 1, match: /YAML syntax error/ });
  expectErr(t, yml("timeout: 5", "timeout: 6"), { keyPath: "timeout", line: 2, column: 1, match: /unique/ });
  expectErr(t, yml("timeout: 5", "---", "timeout: 6"), { keyPath: "", line: 2, column: 1, match: /multiple documents/ });
});

test("size limit", (t) => {
  expectErr(t, yml(...BASE), { keyPath: "", match: /larger than 100 bytes/ }, { maxBytes: 100 });
  const big = "#" + "é".repeat(600_000) + "\n" + yml(...BASE); // > 1 MiB in UTF-8, < 1 Mi code units
  expectErr(t, big, { keyPath: "", match: /larger than 1048576 bytes/ });
});

test("alias expansion limit (billion laughs)", (t) => {
  const bomb = yml(
    "a: &a [x, x, x, x, x, x, x, x, x, x]",
    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]",
  );
  expectErr(t, bomb, { keyPath: "", line: 2, column: 8, match: /alias/ });
  expectErr(t, yml("timeout: *nope"), { keyPath: "", line: 1, column: 10, match: /nope/ });
});

test("the document must be a map", (t) => {
  expectErr(t, yml("- timeout: 5"), { keyPath: "", line: 1, column: 1, match: /must be a YAML map/ });
  expectErr(t, "", { keyPath: "", line: 1, column: 1 });
  expectErr(t, "just a string", { keyPath: "", line: 1, column: 1 });
});

test("unknown keys are named, with a suggestion and the allowed keys", (t) => {
  const err = expectErr(t, baseWith(1, "timout: 5"), { keyPath: "timout", line: 1, column: 1 });
  t.regex(err.message, /unknown key "timout"; did you mean "timeout"\? allowed keys: description, timeout, triggers/);
  expectErr(t, baseWith(8, "        script: lint", "        hosttag: x"), {
    keyPath: "triggers[0].runs[0].hosttag", line: 9, column: 9, match: /did you mean "host-tag"/,
  });
  expectErr(t, baseWith(4, "    type: simple", "    color: red"), { keyPath: "triggers[0].color", line: 5, column: 5 });
});

test("timeout: required positive integer", (t) => {
  expectErr(t, yml(...BASE.slice(1)), { keyPath: "timeout", line: 1, column: 1, match: /missing required key "timeout"/ });
  for (const bad of ["0", "-3", "1.5", "five", "[5]", "yes", "0s", "5d", "1.5m"]) {
    expectErr(t, baseWith(1, `timeout: ${bad}`), { keyPath: "timeout", line: 1, column: 10, match: /positive whole number/ });
  }
});

test("triggers: required non-empty list", (t) => {
  expectErr(t, yml("timeout: 5"), { keyPath: "triggers", line: 1, column: 1, match: /missing/ });
  expectErr(t, yml("timeout: 5", "triggers: []"), { keyPath: "triggers", line: 2, column: 11, match: /non-empty list/ });
  expectErr(t, yml("timeout: 5", "triggers: {a: 1}"), { keyPath: "triggers", line: 2, column: 11, match: /expected a list, got a map/ });
  expectErr(t, yml("timeout: 5", "triggers: [ci]"), { keyPath: "triggers[0]", line: 2, column: 12, match: /expected a map/ });
});

test("params values must be scalars", (t) => {
  expectErr(t, baseWith(1, "timeout: 5", "params:", "  A: [1, 2]"), { keyPath: "params.A", line: 3, column: 6, match: /got a list/ });
  expectErr(t, baseWith(4, "    type: simple", "    params: {B: {c: 1}}"), { keyPath: "triggers[0].params.B", line: 5, column: 17 });
  expectErr(t, baseWith(1, "timeout: 5", "params:", "  A: !!binary aGVsbG8="), { keyPath: "params.A", line: 3, column: 15 });
  expectErr(t, baseWith(1, "timeout: 5", "params:", "  \"a b\": []"), { keyPath: 'params["a b"]', line: 3, column: 10 });
});

test("trigger name: required, at most 80 characters, unique", (t) => {
  expectErr(t, yml(...BASE.slice(0, 2), "  - type: simple", ...BASE.slice(4)), { keyPath: "triggers[0].name", line: 3, column: 5, match: /missing/ });
  expectErr(t, baseWith(3, `  - name: ${"n".repeat(81)}`), { keyPath: "triggers[0].name", line: 3, column: 11, match: /81 characters/ });
  t.notThrows(() => parseProjectDefinition(baseWith(3, `  - name: ${"n".repeat(80)}`)));
  expectErr(t, yml(...BASE.slice(0, 11), ...BASE.slice(2, 11), ...BASE.slice(11)), {
    keyPath: "triggers[1].name", line: 12, column: 11, match: /duplicate trigger name "ci" \(also triggers\[0\]\)/,
  });
});

test("trigger type must be a known type", (t) => {
  expectErr(t, baseWith(4, "    type: jenkins"), {
    keyPath: "triggers[0].type", line: 4, column: 11,
    match: /unknown trigger type "jenkins"; valid types: simple, github_pr, gitlab_mr, git_poller/,
  });
  expectErr(t, yml(...BASE.slice(0, 3), ...BASE.slice(4)), { keyPath: "triggers[0].type", line: 3, column: 5 });
});

test("runs: required non-empty list; run name and container required", (t) => {
  expectErr(t, yml(...BASE.slice(0, 4), ...BASE.slice(11)), { keyPath: "triggers[0].runs", line: 3, column: 5 });
  expectErr(t, yml(...BASE.slice(0, 4), "    runs: []", ...BASE.slice(11)), { keyPath: "triggers[0].runs", line: 5, column: 11 });
  expectErr(t, baseWith(9, "      - container: alpine", "        script: test", "      - name: x"), { keyPath: "triggers[0].runs[1].name", line: 9, column: 9 });
  expectErr(t, baseWith(10, "        container: [alpine]"), { keyPath: "triggers[0].runs[1].container", line: 10, column: 20, match: /expected a string/ });
  expectErr(t, yml(...BASE.slice(0, 9), ...BASE.slice(10)), { keyPath: "triggers[0].runs[1].container", line: 9, column: 9, match: /missing/ });
  expectErr(t, baseWith(9, "      - name: ''"), { keyPath: "triggers[0].runs[1].name", line: 9, column: 15, match: /must not be empty/ });
});

test("exactly one of script / script-repo, naming something defined", (t) => {
  expectErr(t, yml(...BASE.slice(0, 10), ...BASE.slice(11)), {
    keyPath: "triggers[0].runs[1].script", line: 9, column: 9, match: /one of "script" or "script-repo" is required/,
  });
  expectErr(t, baseWith(11, "        script: test", "        script-repo: {name: r, path: p}"), {
    keyPath: "triggers[0].runs[1].script-repo", line: 12, column: 9, match: /mutually exclusive/,
  });
  expectErr(t, baseWith(11, "        script-repo: {name: tools, path: a.sh}"), {
    keyPath: "triggers[0].runs[1].script-repo.name", line: 11, column: 29, match: /unknown script repo "tools"; no script-repos are defined/,
  });
  expectErr(t, yml(...BASE.slice(0, 10), "        script-repo: {name: tools}", ...BASE.slice(11), "script-repos:", "  tools: {clone-url: u}"), {
    keyPath: "triggers[0].runs[1].script-repo.path", line: 11, column: 22, match: /missing required key "path"/,
  });
  expectErr(t, yml(...BASE, "script-repos:", "  tools: {git-ref: main}"), { keyPath: "script-repos.tools.clone-url", line: 16, column: 10 });
  expectErr(t, baseWith(13, "  lint: [echo]"), { keyPath: "scripts.lint", line: 13, column: 9 });
});

test("loop-on: list of {param, values}; {loop} needs loop-on; expansion limit", (t) => {
  expectErr(t, baseWith(11, "        script: test", "        loop-on: []"), { keyPath: "triggers[0].runs[1].loop-on", line: 12, column: 18 });
  expectErr(t, baseWith(11, "        script: test", "        loop-on:", "          - {param: A, values: []}"), {
    keyPath: "triggers[0].runs[1].loop-on[0].values", line: 13, column: 32, match: /non-empty/,
  });
  expectErr(t, baseWith(11, "        script: test", "        loop-on:", "          - {param: A, values: [a]}", "          - {param: A, values: [b]}"), {
    keyPath: "triggers[0].runs[1].loop-on[1].param", line: 14, column: 21, match: /duplicate loop-on param "A"/,
  });
  expectErr(t, baseWith(11, "        script: test", "        loop-on: [{param: host-tag, values: [a, '']}]"), {
    keyPath: "triggers[0].runs[1].loop-on", line: 12, column: 18, match: /host-tag values must not be empty/,
  });
  expectErr(t, baseWith(9, "      - name: unit-{loop}"), { keyPath: "triggers[0].runs[1].name", line: 9, column: 15, match: /no loop-on/ });
  const wide = Array.from({ length: 11 }, (_, i) => i).join(", ");
  expectErr(t, baseWith(11, "        script: test", "        loop-on:", ...["A", "B", "C"].map((p) => `          - {param: ${p}, values: [${wide}]}`)), {
    keyPath: "triggers[0].runs[1].loop-on", line: 13, column: 11, match: /more than 1000 runs/,
  });
});

test("final run names: < 80 chars, [A-Za-z0-9._-], unique in the trigger", (t) => {
  expectErr(t, baseWith(9, "      - name: unit test"), { keyPath: "triggers[0].runs[1].name", line: 9, column: 15, match: /"unit test" may only contain/ });
  const loop = (name: string, values: string): string =>
    baseWith(11, "        script: test", `      - {name: "${name}", container: a, script: test, loop-on: [{param: P, values: [${values}]}]}`);
  expectErr(t, loop("x-{loop}", `ok, "a/b"`), { keyPath: "triggers[0].runs[2].name", line: 12, column: 16, match: /"x-a\/b"/ });
  expectErr(t, loop(`${"r".repeat(76)}-{loop}`, "ab, abc"), { keyPath: "triggers[0].runs[2].name", line: 12, column: 16, match: /80 characters; it must be shorter than 80/ });
  expectErr(t, loop("lint", "a, b"), { keyPath: "triggers[0].runs[2].name", line: 12, column: 16, match: /duplicate run name "lint" \(also produced by triggers\[0\]\.runs\[0\]\)/ });
  expectErr(t, loop("x", "a, b"), { keyPath: "triggers[0].runs[2].name", line: 12, column: 16, match: /by the same loop-on/ });
  expectErr(t, baseWith(9, "      - name: lint"), { keyPath: "triggers[0].runs[1].name", line: 9, column: 15, match: /duplicate/ });
});
