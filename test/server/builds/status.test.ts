// JobServ's cumulative status rule, case by case.
import test from "ava";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { cumulativeStatus, isComplete } from "../../../server/builds/status.js";

const { QUEUED, RUNNING, PASSED, FAILED, UPLOADING, CANCELLING, SKIPPED, RUNNING_WITH_FAILURES } = Status;

const cases: [Status[], Status][] = [
  [[], QUEUED],
  [[QUEUED, QUEUED], QUEUED],
  [[QUEUED, RUNNING], RUNNING],
  [[RUNNING, UPLOADING], RUNNING],
  [[RUNNING, FAILED], RUNNING_WITH_FAILURES],
  [[RUNNING, CANCELLING], RUNNING_WITH_FAILURES],
  [[QUEUED, FAILED], RUNNING_WITH_FAILURES],
  [[QUEUED, PASSED], RUNNING],
  [[QUEUED, PASSED, FAILED], RUNNING], // JobServ's quirk: rule 4 overrides rule 3
  [[PASSED, PASSED], PASSED],
  [[PASSED, SKIPPED], PASSED],
  [[PASSED, FAILED], FAILED],
  [[FAILED], FAILED],
];

for (const [children, expected] of cases) {
  test(`[${children.map((s) => Status[s]).join(", ")}] -> ${Status[expected]}`, (t) => {
    t.is(cumulativeStatus(children), expected);
  });
}

test("complete statuses", (t) => {
  t.deepEqual([QUEUED, RUNNING, UPLOADING, CANCELLING, PASSED, FAILED, SKIPPED, Status.PROMOTED].filter(isComplete), [PASSED, FAILED, SKIPPED, Status.PROMOTED]);
});
