// test-grepping with JobServ's semantics: Python patterns matched at the line
// start, tests started by test-pattern, fixupdict, the "default" test.
import { create } from "@bufbuild/protobuf";
import test from "ava";
import { TestGreppingSchema } from "../../../gen/jobserv/v1/run_definition_pb.js";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { grepTests } from "../../../worker/runner/test-grepping.js";

const grepping = (resultPattern: string, testPattern = "", fixupdict: Record<string, string> = {}) =>
  create(TestGreppingSchema, { resultPattern, testPattern, fixupdict });

test("without a test pattern, results go to a test named default whose status is the first result's", (t) => {
  const tests = grepTests("x\nok: SKIPPED\r\nbad: FAILED\nfine: PASSED", grepping("(?P<name>\\w+): (?P<result>\\w+)"));
  t.deepEqual(tests.map((x) => [x.name, x.context, x.status, x.results.map((r) => [r.name, r.status])]), [
    ["default", "", Status.FAILED, [["ok", Status.SKIPPED], ["bad", Status.FAILED], ["fine", Status.PASSED]]],
  ]);
});

test("test-pattern starts tests; fixupdict maps raw results; matches are anchored at the line start", (t) => {
  const log = ["== start suite-a", "t1 ... ok", "  t2 ... FAIL (indented: no match)", "t3 ... FAIL",
    "== start suite-b", "t4 ... skip", "t5 ... weird", "== start suite-c"].join("\n");
  const tests = grepTests(log, grepping("(?P<name>t\\d) \\.\\.\\. (?P<result>\\w+)", "== start (?P<name>[\\w-]+)", { ok: "PASSED", FAIL: "FAILED", skip: "SKIPPED" }));
  t.deepEqual(tests.map((x) => [x.name, x.status, x.results.map((r) => [r.name, r.status])]), [
    ["suite-a", Status.FAILED, [["t1", Status.PASSED], ["t3", Status.FAILED]]],
    ["suite-b", Status.FAILED, [["t4", Status.SKIPPED], ["t5", Status.FAILED]]],
    ["suite-c", Status.PASSED, []],
  ]);
  t.is(tests[1]!.results[1]!.output, 'unrecognised result "weird" (expected PASSED, FAILED or SKIPPED)');
  t.is(tests[0]!.context, "== start (?P<name>[\\w-]+)");
});

test("Python-only syntax works: (?P=name) back-references and a leading (?i)", (t) => {
  const tests = grepTests("<x>X: passed</x>\n<y>Y: passed</z>", grepping("(?i)<(?P<tag>\\w)>(?P<name>\\w): (?P<result>PASSED)</(?P=tag)>", "", { passed: "PASSED" }));
  t.deepEqual(tests[0]!.results.map((r) => [r.name, r.status]), [["X", Status.PASSED]]);
});

test("no result pattern, no tests", (t) => {
  t.deepEqual(grepTests("a: PASSED", grepping("")), []);
});
