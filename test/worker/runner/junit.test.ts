// JUnit XML -> tests with JobServ's mapping, on reports shaped like the ones
// common tools write (pytest, JUnit/Maven surefire, go-junit-report).
import test from "ava";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { parseJunit } from "../../../worker/runner/junit.js";

test("a pytest-style report: suites, failures with message and text, errors, skips", (t) => {
  const xml = `<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="1" failures="1" skipped="1" tests="4">
  <properties><property name="x" value="y"/></properties>
  <testcase classname="tests.test_a" name="test_ok" time="0.001"><system-out>noise</system-out></testcase>
  <testcase classname="tests.test_a" name="test_bad"><failure message="assert 1 == 2">def test_bad():
&gt;       assert 1 == 2</failure></testcase>
  <testcase classname="tests.test_a" name="test_err"><error message="boom" type="RuntimeError"/></testcase>
  <testcase classname="tests.test_a" name="test_skip"><skipped type="pytest.skip" message="later">skipped here</skipped></testcase>
</testsuite></testsuites>`;
  const tests = parseJunit(xml, "junit.xml");
  t.is(tests.length, 1);
  t.like(tests[0], { name: "pytest", context: "junit.xml skipped=1", status: Status.FAILED });
  t.deepEqual(tests[0]!.results.map((r) => [r.name, r.context, r.status]), [
    ["test_ok", "tests.test_a", Status.PASSED],
    ["test_bad", "tests.test_a", Status.FAILED],
    ["test_err", "tests.test_a", Status.FAILED],
    ["test_skip", "tests.test_a", Status.SKIPPED],
  ]);
  t.is(tests[0]!.results[1]!.output, "failure: assert 1 == 2\ndef test_bad():\n>       assert 1 == 2");
  t.is(tests[0]!.results[2]!.output, "error (RuntimeError): boom");
});

test("a bare <testsuite> root, nested suites, an unnamed suite and a larger skipped attribute", (t) => {
  const xml = `<testsuite skipped="3"><testcase name="a"/>
    <testsuite name="inner"><testcase name="b" classname="k"><failure>plain text</failure></testcase></testsuite>
  </testsuite>`;
  const tests = parseJunit(xml, "junit.xml.2");
  t.deepEqual(tests.map((x) => [x.name, x.context, x.status, x.results.length]), [
    ["junit", "junit.xml.2 skipped=3", Status.PASSED, 1],
    ["inner", "junit.xml.2 skipped=0", Status.FAILED, 1],
  ]);
  t.is(tests[1]!.results[0]!.output, "failure:\nplain text");
});

test("malformed XML is an error naming the line", (t) => {
  const e = t.throws(() => parseJunit("<testsuite>\n<testcase name='a'>\n</testsuite>", "junit.xml"));
  t.regex(e!.message, /^line \d+: /);
});

test("a report without suites yields no tests", (t) => {
  t.deepEqual(parseJunit("<report><item/></report>", "junit.xml"), []);
});
