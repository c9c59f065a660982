// Repository functions for a run's tests and test results (JUnit suites and
// test-grepping results reported by the worker).
import type { Kysely } from "kysely";
import type { Database, TestResultRow, TestRow } from "./database.js";

export interface NewTest {
  name: string;
  context: string;
  status: number;
  results: { name: string; context: string; status: number; output: string }[];
}

export type TestWithResults = TestRow & { results: TestResultRow[] };

/**
 * Replaces every test of run `runId` with `tests`, in one transaction, so a
 * repeated report (a retry) leaves exactly one copy.
 */
export async function replaceTests(db: Kysely<Database>, runId: number, tests: readonly NewTest[], now: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const old = trx.selectFrom("tests").select("id").where("run_id", "=", runId);
    await trx.deleteFrom("test_results").where("test_id", "in", old).execute();
    await trx.deleteFrom("tests").where("run_id", "=", runId).execute();
    for (const t of tests) {
      const res = await trx.insertInto("tests")
        .values({ run_id: runId, name: t.name, context: t.context, status: t.status, created_at: now })
        .executeTakeFirstOrThrow();
      const testId = Number(res.insertId);
      // Batches keep each statement well under both dialects' parameter limits.
      for (let i = 0; i < t.results.length; i += 200) {
        await trx.insertInto("test_results")
          .values(t.results.slice(i, i + 200).map((r) => ({ test_id: testId, ...r })))
          .execute();
      }
    }
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
