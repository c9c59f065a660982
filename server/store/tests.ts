// Repository functions for a run's tests and test results (JUnit suites and
// test-grepping results reported by the worker).
import type { Kysely } from "kysely";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { Database, TestResultRow, TestRow } from "./database.js";

export interface NewTest {
  name: string;
  context: string;
  status: number;
  results: { name: string; context: string; status: number; output: string }[];
}

export type TestWithResults = TestRow & { results: TestResultRow[] };

/**
 * Replaces every test of run `runId` its worker reported with `tests`, in one
 * transaction, so a repeated report (a retry) leaves exactly one copy. Tests
 * created from outside (the test API) stay.
 */
export async function replaceTests(db: Kysely<Database>, runId: number, tests: readonly NewTest[], now: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const old = trx.selectFrom("tests").select("id").where("run_id", "=", runId).where("external", "=", 0);
    await trx.deleteFrom("test_results").where("test_id", "in", old).execute();
    await trx.deleteFrom("tests").where("run_id", "=", runId).where("external", "=", 0).execute();
    for (const t of tests) await insertTestIn(trx, runId, t, 0, now);
  });
}

async function insertTestIn(db: Kysely<Database>, runId: number, t: NewTest, external: number, now: number): Promise<number> {
  const res = await db.insertInto("tests")
    .values({ run_id: runId, name: t.name, context: t.context, status: t.status, created_at: now, external })
    .executeTakeFirstOrThrow();
  const testId = Number(res.insertId);
  await insertResults(db, testId, t.results);
  return testId;
}

async function insertResults(db: Kysely<Database>, testId: number, results: NewTest["results"]): Promise<void> {
  // Batches keep each statement well under both dialects' parameter limits.
  for (let i = 0; i < results.length; i += 200) {
    await db.insertInto("test_results").values(results.slice(i, i + 200).map((r) => ({ test_id: testId, ...r }))).execute();
  }
}

/** A test created from outside (the test API), with its results; its id. */
export function insertExternalTest(db: Kysely<Database>, runId: number, test: NewTest, now: number): Promise<number> {
  return db.transaction().execute((trx) => insertTestIn(trx, runId, test, 1, now));
}

/** The first test of run `runId` named `name` (with `context`, if given). */
export async function findTest(db: Kysely<Database>, runId: number, name: string, context: string): Promise<TestWithResults | undefined> {
  const t = await db.selectFrom("tests").selectAll().where("run_id", "=", runId).where("name", "=", name)
    .$if(context !== "", (qb) => qb.where("context", "=", context)).orderBy("id").limit(1).executeTakeFirst();
  if (!t) return undefined;
  const results = await db.selectFrom("test_results").selectAll().where("test_id", "=", t.id).orderBy("id").execute();
  return { ...t, created_at: Number(t.created_at), results };
}

/** Appends `results` to test `testId` and sets its status (unless undefined), in one transaction. */
export async function updateTest(db: Kysely<Database>, testId: number, status: number | undefined, results: NewTest["results"]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await insertResults(trx, testId, results);
    if (status !== undefined) await trx.updateTable("tests").set({ status }).where("id", "=", testId).execute();
  });
}

/** The run's tests in reporting order, each with its results in order. */
export async function listTests(db: Kysely<Database>, runId: number): Promise<TestWithResults[]> {
  const tests = await db.selectFrom("tests").selectAll().where("run_id", "=", runId).orderBy("id").execute();
  if (!tests.length) return [];
  const results = await db.selectFrom("test_results").selectAll()
    .where("test_id", "in", tests.map((t) => t.id)).orderBy("id").execute();
  return tests.map((t) => ({ ...t, created_at: Number(t.created_at), results: results.filter((r) => r.test_id === t.id) }));
}

const COMPLETE = [Status.PASSED, Status.FAILED, Status.PROMOTED, Status.SKIPPED];

/** Whether any test of the run is open (its status, or one of its results', not complete), and whether any failed. */
export async function testVerdict(db: Kysely<Database>, runId: number): Promise<{ open: boolean; failed: boolean }> {
  const tests = await db.selectFrom("tests").select(["id", "status"]).where("run_id", "=", runId).execute();
  if (!tests.length) return { open: false, failed: false };
  const openResult = await db.selectFrom("test_results").select("id").where("test_id", "in", tests.map((t) => t.id))
    .where("status", "not in", COMPLETE).limit(1).executeTakeFirst();
  return { open: Boolean(openResult) || tests.some((t) => !COMPLETE.includes(t.status)), failed: tests.some((t) => t.status === Status.FAILED) };
}
