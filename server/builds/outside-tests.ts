// JobServ's test API: an external system (a device lab, a LAVA-like harness)
// creates tests on a run and updates them (status, more results, a message
// for the console log); the run's status follows (lifecycle-tests.ts). Shared
// by the RPCs (RunService.CreateTest/UpdateTest) and the REST routes; callers
// have checked the caller (the run's token or a trigger-scope API token).
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from "../errors.js";
import type { RunRow } from "../store/database.js";
import type { Store } from "../store/db.js";
import { findRunById } from "../store/runs.js";
import { findTest, insertExternalTest, updateTest, type NewTest, type TestWithResults } from "../store/tests.js";
import type { RunNotes } from "./lifecycle-context.js";
import type { Lifecycle } from "./lifecycle.js";
import { MAX_RESULT_OUTPUT } from "./run-tests.js";
import { isComplete } from "./status.js";

export interface OutsideTestDeps { store: Store; lifecycle: Lifecycle; notes: RunNotes; now: () => number }

export interface OutsideResult { name: string; context: string; status: Status; output: string }

const TEST_STATUSES = new Set([Status.QUEUED, Status.RUNNING, Status.PASSED, Status.FAILED, Status.SKIPPED]);
const MAX_RESULTS_PER_CALL = 10_000;
const TRUNCATED = "<truncated>\n";

function checkStatus(status: Status, at: string): void {
  if (!TEST_STATUSES.has(status)) throw new InvalidArgumentError(`${at}: QUEUED, RUNNING, PASSED, FAILED or SKIPPED, not ${Status[status] ?? status}`);
}

function checkResults(results: readonly OutsideResult[]): NewTest["results"] {
  if (results.length > MAX_RESULTS_PER_CALL) throw new InvalidArgumentError(`results: ${results.length}; at most ${MAX_RESULTS_PER_CALL} a call`);
  return results.map((r, i) => {
    if (!r.name) throw new InvalidArgumentError(`results[${i}].name: required`);
    checkStatus(r.status, `results[${i}].status`);
    // As JobServ: long output is kept, cut, with a marker.
    const output = r.output.length > MAX_RESULT_OUTPUT ? TRUNCATED + r.output.slice(0, MAX_RESULT_OUTPUT - TRUNCATED.length) : r.output;
    return { name: r.name.slice(0, 1024), context: r.context.slice(0, 1024), status: r.status, output };
  });
}

function open(run: RunRow): void {
  if (isComplete(run.status)) throw new FailedPreconditionError(`run ${run.name} is ${Status[run.status]}; tests can be added only to a run not complete`);
}

export async function createOutsideTest(deps: OutsideTestDeps, run: RunRow,
  t: { name: string; context: string; status: Status; results: readonly OutsideResult[] }): Promise<TestWithResults> {
  if (!t.name) throw new InvalidArgumentError("name: required");
  if (t.name.length > 512) throw new InvalidArgumentError("name: at most 512 characters");
  if (t.context.length > 1024) throw new InvalidArgumentError("context: at most 1024 characters");
  const status = t.status === Status.UNSPECIFIED ? Status.QUEUED : t.status;
  checkStatus(status, "status");
  const results = checkResults(t.results);
  open(run);
  await insertExternalTest(deps.store.db, run.id, { name: t.name, context: t.context, status, results }, deps.now());
  await deps.lifecycle.testsChanged(run.id);
  return (await findTest(deps.store.db, run.id, t.name, t.context))!;
}

export async function updateOutsideTest(deps: OutsideTestDeps, run: RunRow,
  t: { name: string; context: string; status: Status; results: readonly OutsideResult[]; message: string }): Promise<{ test: TestWithResults; runComplete: boolean }> {
  if (t.status !== Status.UNSPECIFIED) checkStatus(t.status, "status");
  const results = checkResults(t.results);
  const test = await findTest(deps.store.db, run.id, t.name, t.context);
  if (!test) throw new NotFoundError(`run ${run.name} has no test "${t.name}"${t.context ? ` with context "${t.context}"` : ""}`);
  open(run);
  if (t.message) await deps.notes.note(run.id, t.message);
  await updateTest(deps.store.db, test.id, t.status === Status.UNSPECIFIED ? undefined : t.status, results);
  await deps.lifecycle.testsChanged(run.id);
  const runComplete = isComplete((await findRunById(deps.store.db, run.id))?.status ?? Status.FAILED);
  return { test: (await findTest(deps.store.db, run.id, t.name, t.context))!, runComplete };
}
