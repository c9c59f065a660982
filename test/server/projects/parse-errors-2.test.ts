// Tests ProjectDefinitionError for chained triggers, volumes, regexes, notifications and types of
// the optional run keys, plus the "never anything but ProjectDefinitionError" guarantee.
import test from "ava";
import { ProjectDefinitionError } from "../../../server/projects/definition-error.js";
import { parseProjectDefinition } from "../../../server/projects/parse.js";
import { assertDefinitionError as expectErr, BASE, baseWith, yml } from "./helpers.js";

/** BASE plus extra triggers t1..tn (each one run) appended to the triggers list. */
function withTriggers(extraRunLines: string[], ...triggers: string[][]): string {
  const extra = triggers.flatMap((lines, i) => [
    `  - name: t${i + 1}`, "    type: simple", "    runs:", "      - {name: r, container: a, script: lint}", ...lines,
  ]);
  return yml(...BASE.slice(0, 11), ...extraRunLines, ...extra, ...BASE.slice(11));
}

test("chained triggers must exist ({loop} substituted first)", (t) => {
  expectErr(t, withTriggers(["        triggers: [{name: nope}]"]), {
    keyPath: "triggers[0].runs[1].triggers[0].name", line: 12, column: 27, match: /unknown trigger "nope"; defined triggers: "ci"/,
  });
  const looped = ["      - name: chain-{loop}", "        container: a", "        script: lint", "        loop-on: [{param: P, values: [t1, t9]}]", "        triggers: [{name: 'x{loop}'}]"];
  expectErr(t, withTriggers(looped, []), {
    keyPath: "triggers[0].runs[2].triggers[0].name", line: 16, column: 27, match: /unknown trigger "xt1"/,
  });
  expectErr(t, withTriggers(looped.map((l) => l.replace("x{loop}", "{loop}")), []), {
    keyPath: "triggers[0].runs[2].triggers[0].name", line: 16, column: 27, match: /unknown trigger "t9"/,
  });
  expectErr(t, withTriggers([], ["    triggers:", "      - run-names: x"]), { keyPath: "triggers[1].triggers[0].name", line: 17, column: 9 });
});

test("chained triggers nest at most 2 levels; cycles are errors", (t) => {
  const chainTo = (name: string): string[] => ["    triggers:", `      - name: ${name}`];
  t.notThrows(() => parseProjectDefinition(withTriggers(["        triggers: [{name: t1}]"], chainTo("t2"), [])));
  expectErr(t, withTriggers(["        triggers: [{name: t1}]"], chainTo("t2"), chainTo("t3"), []), {
    keyPath: "triggers[0].runs[1].triggers[0].name", line: 12, column: 27, match: /too deep: ci → t1 → t2 → t3/,
  });
  expectErr(t, withTriggers([], chainTo("t1")), { keyPath: "triggers[1].triggers[0].name", line: 17, column: 15, match: /cycle: t1 → t1/ });
  expectErr(t, withTriggers([], chainTo("t2"), chainTo("t1")), { keyPath: "triggers[1].triggers[0].name", line: 17, column: 15, match: /cycle: t1 → t2 → t1/ });
});

test("persistent-volumes names, shared-volumes, capabilities, booleans", (t) => {
  expectErr(t, baseWith(11, "        script: test", "        persistent-volumes: {'bad/name': /x}"), {
    keyPath: 'triggers[0].runs[1].persistent-volumes["bad/name"]', line: 12, column: 30, match: /invalid name/,
  });
  expectErr(t, baseWith(11, "        script: test", "        shared-volumes: [a]"), { keyPath: "triggers[0].runs[1].shared-volumes", line: 12, column: 25 });
  expectErr(t, baseWith(11, "        script: test", "        cap-add: SYS_ADMIN"), { keyPath: "triggers[0].runs[1].cap-add", line: 12, column: 18 });
  expectErr(t, baseWith(11, "        script: test", "        cap-drop: [1]"), { keyPath: "triggers[0].runs[1].cap-drop[0]", line: 12, column: 20 });
  expectErr(t, baseWith(11, "        script: test", "        privileged: maybe"), { keyPath: "triggers[0].runs[1].privileged", line: 12, column: 21, match: /expected a boolean/ });
  expectErr(t, baseWith(11, "        script: test", "        container-entrypoint: 5"), { keyPath: "triggers[0].runs[1].container-entrypoint", line: 12, column: 31 });
  expectErr(t, baseWith(11, "        script: test", "        host-tag: [a]"), { keyPath: "triggers[0].runs[1].host-tag", line: 12, column: 19 });
  expectErr(t, baseWith(11, "        script: test", "        container-auth: {}"), { keyPath: "triggers[0].runs[1].container-auth", line: 12, column: 25 });
});

test("console-progress and test-grepping regexes must compile (Python syntax accepted)", (t) => {
  expectErr(t, baseWith(11, "        script: test", "        console-progress: {progress-pattern: '(\\d+'}"), {
    keyPath: "triggers[0].runs[1].console-progress.progress-pattern", line: 12, column: 46, match: /invalid regular expression/,
  });
  expectErr(t, baseWith(11, "        script: test", "        console-progress: {}"), { keyPath: "triggers[0].runs[1].console-progress.progress-pattern", line: 12, column: 27 });
  expectErr(t, baseWith(11, "        script: test", "        test-grepping:", "          result-pattern: 'ok'", "          test-pattern: '[a-'"), {
    keyPath: "triggers[0].runs[1].test-grepping.test-pattern", line: 14, column: 25,
  });
  expectErr(t, baseWith(11, "        script: test", "        test-grepping: {result-pattern: x, fixupdict: [a]}"), {
    keyPath: "triggers[0].runs[1].test-grepping.fixupdict", line: 12, column: 55,
  });
  t.notThrows(() => parseProjectDefinition(baseWith(11, "        script: test", "        test-grepping: {result-pattern: '(?i)^(?P<name>\\w+)=(?P<result>\\w+)\\Z'}")));
});

test("email, webhooks and script-repos entries are checked", (t) => {
  expectErr(t, yml(...BASE, "email: {only_failures: true}"), { keyPath: "email.users", line: 15, column: 8, match: /missing required key "users"/ });
  expectErr(t, yml(...BASE, "email: {users: a@b, only_failures: sometimes}"), { keyPath: "email.only_failures", line: 15, column: 36 });
  expectErr(t, yml(...BASE, "webhooks:", "  - url: https://x"), { keyPath: "webhooks[0].secret_name", line: 16, column: 5 });
  expectErr(t, yml(...BASE, "webhooks: {url: x}"), { keyPath: "webhooks", line: 15, column: 11 });
  expectErr(t, baseWith(4, "    type: simple", "    email: a@b"), { keyPath: "triggers[0].email", line: 5, column: 12 });
  expectErr(t, yml(...BASE, "script-repos: {r: {clone-url: u, token: [x]}}"), { keyPath: "script-repos.r.token", line: 15, column: 41 });
  expectErr(t, yml(...BASE, "description: [x]"), { keyPath: "description", line: 15, column: 14 });
});

test("never throws anything but ProjectDefinitionError", (t) => {
  const bad: unknown[] = [undefined, null, 42, {}, "\u0000", "&a [*a]", "a: &a {b: *a}", "? [a]\n: b", "<<: 5", "timeout: 5\n<<: [1]"];
  for (const input of bad) {
    const err = t.throws(() => parseProjectDefinition(input as string));
    t.true(err instanceof ProjectDefinitionError, String(err));
    t.not(err?.message ?? "", "");
  }
});
