// A run's test results as the runner finds them (JUnit XML in /archive,
// test-grepping of the console) and reports them: the shape of
// jobserv.v1.Test without the server-set fields.
import type { Status } from "../../gen/jobserv/v1/status_pb.js";

export interface TestResultRecord {
  name: string;
  context: string;
  /** PASSED, FAILED or SKIPPED. */
  status: Status;
  output: string;
}

export interface TestRecord {
  name: string;
  context: string;
  /** FAILED when any result failed, else PASSED (or SKIPPED, see test-grepping). */
  status: Status;
  results: TestResultRecord[];
}
