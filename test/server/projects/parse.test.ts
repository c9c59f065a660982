// Tests parseProjectDefinition on valid definitions: JobServ's README example, loop-on expansion,
// every schema key, YAML 1.1 details (anchors, merges, yes/no) and value stringification.
import test from "ava";
import { DEFAULT_HOST_TAG } from "../../../server/projects/expand-loops.js";
import { parseProjectDefinition } from "../../../server/projects/parse.js";
import { BASE, baseWith, fixture, yml } from "./helpers.js";

test("JobServ README example parses; host-tag defaults to any worker", (t) => {
  const def = parseProjectDefinition(fixture("readme-example"));
  t.is(def.timeoutSeconds, 300);
  t.is(def.triggers.length, 1);
  const [trigger] = def.triggers;
  t.is(trigger?.name, "Python Style Project on GitHub");
  t.is(trigger?.type, "github_pr");
  t.deepEqual(trigger?.runs.map((r) => [r.name, r.script, r.hostTag]), [
    ["unit-test", "unit-test", "*"],
    ["flake8", "flake8", "*"],
  ]);
  t.is(DEFAULT_HOST_TAG, "*");
  t.is(def.scripts["flake8"], "#!/bin/sh -ex\npip3 install flake8\nflake8 ./\n");
  t.deepEqual(def.webhooks, []);
  t.is(def.email, undefined);
});

test("loop-on expands in itertools.product order with {loop} names, host-tag and params", (t) => {
  const def = parseProjectDefinition(fixture("loop-on"));
  const runs = def.triggers[0]?.runs ?? [];
  t.deepEqual(runs.map((r) => r.name), ["compile-amd64-gcc", "compile-amd64-clang", "compile-ARM64-gcc", "compile-ARM64-clang"]);
  t.deepEqual(runs.map((r) => r.hostTag), ["amd64", "amd64", "arm64", "arm64"]);
  t.deepEqual(runs[3]?.params, { LEVEL: "run", TOOLCHAIN: "clang" });
  t.deepEqual(runs[3]?.loopValues, { "host-tag": "ARM64", TOOLCHAIN: "clang" });
  t.deepEqual(runs[2]?.triggers, [{ name: "test-ARM64-gcc", runNames: "{name}-ARM64-gcc" }]);
  t.false("host-tag" in (runs[0]?.params ?? {}));
  t.deepEqual(def.triggers[0]?.email, { users: "dev@example.com, qa@example.com", onlyFailures: true });
  // expanded runs do not share mutable state
  runs[0]?.capAdd.push("X");
  t.deepEqual(runs[1]?.capAdd, []);
});

test("every schema key is read into camelCase fields", (t) => {
  const def = parseProjectDefinition(fixture("full"));
  t.is(def.description, "Kitchen-sink project");
  t.deepEqual(def.params, { PY_VERSION: "3.10", DEBUG: "yes", RETRIES: "3" });
  t.deepEqual(def.email, { users: "team@example.com", onlyFailures: false });
  t.deepEqual(def.webhooks, [{ url: "https://hooks.example.com/ci", secretName: "hook-secret", onlyFailures: false }]);
  t.deepEqual(def.scriptRepos, { tools: { cloneUrl: "https://github.com/example/ci-tools.git", gitRef: "v1.2", token: "gh-token" } });
  const pr = def.triggers[0];
  t.deepEqual(pr?.params, { GH_BRANCH: "main,release" });
  t.deepEqual(pr?.triggers, [{ name: "report" }]);
  t.deepEqual(pr?.webhooks, [{ url: "https://hooks.example.com/pr", secretName: "pr-hook", onlyFailures: true }]);
  t.deepEqual(pr?.runs[0], {
    name: "build",
    container: "registry.example.com/team/builder:2",
    containerAuth: "registry-auth",
    hostTag: "docker-*",
    scriptRepo: { name: "tools", path: "ci/build.sh" },
    params: { TARGET: "all" },
    privileged: true,
    capAdd: ["SYS_ADMIN"],
    capDrop: ["NET_RAW"],
    containerUser: "1000",
    containerEntrypoint: "",
    persistentVolumes: { ccache: "/root/.ccache", "pip.cache_v2": "/root/.cache/pip" },
    sharedVolumes: { mirror: "/srv/mirror" },
    consoleProgress: { progressPattern: "(?P<current>\\d+)/(?P<total>\\d+)" },
    testGrepping: {
      testPattern: "^Test (?P<name>\\S+)",
      resultPattern: "^(?P<name>\\S+): (?P<result>PASS|FAIL|SKIP)$",
      fixupdict: { PASS: "PASSED", FAIL: "FAILED" },
    },
    triggers: [{ name: "deploy", runNames: "deploy-{name}" }],
    loopValues: {},
  });
  t.deepEqual(def.triggers.map((x) => x.type), ["github_pr", "simple", "simple"]);
  t.is(def.triggers[2]?.runs[0]?.hostTag, "*");
});

test("anchors, aliases and << merge keys are resolved (YAML 1.1, like PyYAML)", (t) => {
  const def = parseProjectDefinition(yml(
    "timeout: 5",
    "params: &common {A: '1', B: '2'}",
    "triggers:",
    "  - name: ci",
    "    type: simple",
    "    params:",
    "      <<: *common",
    "      B: three",
    "    runs:",
    "      - &run",
    "        name: one",
    "        container: alpine",
    "        host-tag: x86",
    "        script: s",
    "        privileged: yes",
    "      - <<: *run",
    "        name: two",
    "        privileged: off",
    "scripts: {s: echo}",
  ));
  const trigger = def.triggers[0];
  t.deepEqual(trigger?.params, { A: "1", B: "three" });
  t.deepEqual(trigger?.runs.map((r) => [r.name, r.hostTag, r.privileged]), [["one", "x86", true], ["two", "x86", false]]);
});

test("param values: numbers and booleans are kept as written; null values mean absent", (t) => {
  const def = parseProjectDefinition(baseWith(1, "timeout: 5", "params:", "  V: 3.10", "  OCT: 0755", "  ON: true", "  S: 'x'"));
  t.deepEqual(def.params, { V: "3.10", OCT: "0755", ON: "true", S: "x" });
  const empty = parseProjectDefinition(baseWith(1, "timeout: 5", "params:", "description:"));
  t.deepEqual(empty.params, {});
  t.is(empty.description, undefined);
});

test("a __proto__ param is an ordinary own key", (t) => {
  const def = parseProjectDefinition(baseWith(1, "timeout: 5", "params:", "  __proto__: polluted"));
  t.true(Object.hasOwn(def.params, "__proto__"));
  t.is(Object.getPrototypeOf(def.params), Object.prototype);
  t.is(({} as Record<string, unknown>)["polluted"], undefined);
});

test("host-tag is lower-cased; loop-on host-tag overrides the run's host-tag", (t) => {
  const def = parseProjectDefinition(baseWith(
    11,
    "        script: test",
    "        host-tag: Fast-*",
    "      - name: multi-{loop}",
    "        container: alpine",
    "        script: test",
    "        host-tag: ignored",
    "        loop-on:",
    "          - {param: host-tag, values: [A1, b2]}",
  ));
  t.deepEqual(def.triggers[0]?.runs.map((r) => [r.name, r.hostTag]), [
    ["lint", "*"], ["unit", "fast-*"], ["multi-A1", "a1"], ["multi-b2", "b2"],
  ]);
});

test("three loop params: last param varies fastest; numeric values keep their text", (t) => {
  const def = parseProjectDefinition(baseWith(
    9,
    "      - name: m-{loop}",
    "        loop-on:",
    "          - {param: A, values: [a, b]}",
    "          - {param: PY, values: [3.9, 3.10]}",
    "          - {param: C, values: [x, y]}",
  ));
  const names = def.triggers[0]?.runs.map((r) => r.name);
  t.deepEqual(names, [
    "lint", "m-a-3.9-x", "m-a-3.9-y", "m-a-3.10-x", "m-a-3.10-y", "m-b-3.9-x", "m-b-3.9-y", "m-b-3.10-x", "m-b-3.10-y",
  ]);
  t.deepEqual(def.triggers[0]?.runs[4]?.params, { A: "a", PY: "3.10", C: "y" });
});

test("chains two levels deep are allowed (root → child → grandchild)", (t) => {
  const def = parseProjectDefinition(fixture("full"));
  t.is(def.triggers[1]?.triggers[0]?.name, "report");
  t.notThrows(() => parseProjectDefinition(yml(...BASE)));
});

test("timeout: whole minutes, or a duration with a unit (extension)", (t) => {
  for (const [text, seconds] of [["5", 300], ["90s", 90], ["20m", 1200], ["2h", 7200]] as const) {
    t.is(parseProjectDefinition(baseWith(1, `timeout: ${text}`)).timeoutSeconds, seconds, text);
  }
});
