// A worker's report of a run's tests (JUnit suites, test-grepping results):
// checked against the limits and stored, replacing any earlier report.
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { InvalidArgumentError } from "../errors.js";
import type { RunRow, WorkerRunRow } from "../store/database.js";
import type { Store } from "../store/db.js";
import { replaceTests, type NewTest } from "../store/tests.js";

export const MAX_TEST_RESULTS = 10_000;
export const MAX_RESULT_OUTPUT = 64 * 1024;
const STATUSES = new Set([Status.PASSED, Status.FAILED, Status.SKIPPED]);

export interface ReportedTest {
  name: string;
  context: string;
  status: Status;
  results: { name: string; context: string; status: Status; output: string }[];
}

/**
 * Stores `tests` as the tests of `run` (already authorised by its token).
 * Names and contexts longer than their columns are cut; everything else out
 * of bounds is an InvalidArgumentError naming the offending test.
 */
export async function reportRunTests(store: Store, run: WorkerRunRow, tests: readonly ReportedTest[], now: number): Promise<void> {
  const total = tests.reduce((n, t) => n + t.results.length, 0);
  if (total > MAX_TEST_RESULTS) throw new InvalidArgumentError(`tests: ${total} results; at most ${MAX_TEST_RESULTS}`);
  const rows: NewTest[] = tests.map((t, i) => {
    if (!t.name) throw new InvalidArgumentError(`tests[${i}].name: required`);
    if (!STATUSES.has(t.status)) throw new InvalidArgumentError(`tests[${i}].status: PASSED, FAILED or SKIPPED, not ${Status[t.status] ?? t.status}`);
    return {
      name: t.name.slice(0, 512), context: t.context.slice(0, 1024), status: t.status,
      results: t.results.map((r, j) => {
        if (!STATUSES.has(r.status)) throw new InvalidArgumentError(`tests[${i}].results[${j}].status: PASSED, FAILED or SKIPPED, not ${Status[r.status] ?? r.status}`);
        if (r.output.length > MAX_RESULT_OUTPUT) throw new InvalidArgumentError(`tests[${i}].results[${j}].output: over ${MAX_RESULT_OUTPUT} characters`);
        return { name: r.name.slice(0, 1024), context: r.context.slice(0, 1024), status: r.status, output: r.output };
      }),
    };
  });
  await replaceTests(store.db, run.id, rows, now);
}
