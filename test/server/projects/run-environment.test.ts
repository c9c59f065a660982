// Tests runEnvironment's parameter precedence and H_* variables, findTrigger and pythonRegExp.
import test from "ava";
import { ProjectDefinitionError } from "../../../server/projects/definition-error.js";
import { findTrigger } from "../../../server/projects/find-trigger.js";
import { parseProjectDefinition } from "../../../server/projects/parse.js";
import { pythonRegExp } from "../../../common/python-regex.js";
import { runEnvironment } from "../../../server/projects/run-environment.js";
import { fixture } from "./helpers.js";

test("params precedence: project → trigger → run (incl. loop values) → trigger-supplied; then H_*", (t) => {
  const def = parseProjectDefinition(fixture("loop-on"));
  const trigger = findTrigger(def, "merge");
  const run = trigger.runs[1];
  if (run === undefined) throw new Error("missing run");
  const env = runEnvironment(def, trigger, run, { GIT_SHA: "abc", H_RUN: "spoofed" }, { project: "carbon", build: 42 });
  t.deepEqual(env, {
    TOOLCHAIN: "clang", // project says gcc, loop value wins
    LEVEL: "run", // project < trigger < run
    GIT_URL: "https://github.com/example/carbon.git",
    GIT_POLL_REFS: "refs/heads/master",
    GIT_SHA: "abc",
    H_PROJECT: "carbon",
    H_BUILD: "42",
    H_RUN: "compile-amd64-clang", // server values win over supplied params
  });
  const withUrls = runEnvironment(def, trigger, run, { LEVEL: "source" }, {
    project: "carbon", build: 1, runUrl: "https://ci/runs/1", triggerUrl: "https://ci/builds/0",
  });
  t.is(withUrls["LEVEL"], "source");
  t.is(withUrls["H_RUN_URL"], "https://ci/runs/1");
  t.is(withUrls["H_TRIGGER_URL"], "https://ci/builds/0");
  t.false("H_RUN_URL" in env);
});

test("findTrigger: by name, the only one when unnamed, errors listing the names", (t) => {
  const single = parseProjectDefinition(fixture("readme-example"));
  t.is(findTrigger(single).name, "Python Style Project on GitHub");
  const many = parseProjectDefinition(fixture("full"));
  t.is(findTrigger(many, "deploy").type, "simple");
  const unnamed = t.throws(() => findTrigger(many), { instanceOf: ProjectDefinitionError });
  t.is(unnamed?.keyPath, "triggers");
  t.is(unnamed?.message, "triggers: several triggers; name one of: pr, deploy, report");
  const unknown = t.throws(() => findTrigger(many, "nightly"), { instanceOf: ProjectDefinitionError });
  t.regex(unknown?.message ?? "", /no trigger named "nightly"; defined triggers: pr, deploy, report/);
});

test("pythonRegExp understands Python named groups, back-references, flags, \\A and \\Z", (t) => {
  const m = pythonRegExp("(?P<current>\\d+)/(?P<total>\\d+)").exec("step 3/10");
  t.deepEqual({ ...m?.groups }, { current: "3", total: "10" });
  t.true(pythonRegExp("(?P<w>a)(?P=w)").test("aa"));
  t.false(pythonRegExp("(?P<w>a)(?P=w)").test("ab"));
  t.true(pythonRegExp("(?i)^pass$").test("PASS"));
  t.true(pythonRegExp("\\Aok\\Z").test("ok"));
  t.false(pythonRegExp("\\Aok\\Z").test("ok\n"));
  t.true(pythonRegExp("[(?P<]+").test("P"));
  t.true(pythonRegExp("[]a]").test("]"));
  t.throws(() => pythonRegExp("(?x) a # comment"), { instanceOf: SyntaxError });
  t.throws(() => pythonRegExp("(unclosed"), { instanceOf: SyntaxError });
});
