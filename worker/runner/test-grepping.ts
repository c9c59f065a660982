// test-grepping (JobServ semantics): the console is read line by line; a
// line matching `test-pattern` (anchored at the line start, like Python's
// re.match) starts a new Test named by its `name` group; a line matching
// `result-pattern` adds a result named by `name` whose `result` group,
// passed through `fixupdict`, is the status. Results before any test go to a
// Test named "default". A FAILED result fails its Test.
import { pythonRegExp } from "../../common/python-regex.js";
import type { TestGrepping } from "../../gen/jobserv/v1/run_definition_pb.js";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { TestRecord } from "./test-record.js";

const STATUS_NAMES: Record<string, Status> = { PASSED: Status.PASSED, FAILED: Status.FAILED, SKIPPED: Status.SKIPPED };

export function grepTests(text: string, grepping: TestGrepping): TestRecord[] {
  if (!grepping.resultPattern) return [];
  // Sticky: match at the start of the line only, as re.match does.
  const resultRe = pythonRegExp(grepping.resultPattern, "y");
  const testRe = grepping.testPattern ? pythonRegExp(grepping.testPattern, "y") : undefined;
  const tests: TestRecord[] = [];
  let current: TestRecord | undefined;
  // Python reads the log in text mode: \r\n and \r end lines too.
  for (const line of text.split(/\r\n|\r|\n/)) {
    const t = testRe && match(testRe, line);
    if (t) {
      current = { name: t["name"] ?? "", context: grepping.testPattern, status: Status.PASSED, results: [] };
      tests.push(current);
    }
    const r = match(resultRe, line);
    if (!r) continue;
    const raw = r["result"] ?? "";
    const fixed = grepping.fixupdict[raw] ?? raw;
    const status = STATUS_NAMES[fixed] ?? Status.FAILED;
    if (!current) {
      current = { name: "default", context: "", status, results: [] };
      tests.push(current);
    }
    if (status === Status.FAILED) current.status = Status.FAILED;
    current.results.push({
      name: r["name"] ?? "", context: "", status,
      output: STATUS_NAMES[fixed] === undefined ? `unrecognised result "${fixed}" (expected PASSED, FAILED or SKIPPED)` : "",
    });
  }
  return tests;
}

function match(re: RegExp, line: string): Record<string, string | undefined> | undefined {
  re.lastIndex = 0;
  const m = re.exec(line);
  return m ? (m.groups ?? {}) : undefined;
}
