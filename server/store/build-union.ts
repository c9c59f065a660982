// GetBuild's read on MariaDB in one statement: the build with its project's
// access facts, its status events and its runs, as the three branches of a
// UNION ALL (each row says which it is; the columns of the other branches are
// NULL). One statement, not two: on this host each statement's socket write
// to MariaDB was a third of the server's CPU under read load. No ORDER BY:
// MariaDB sorted the joined rows in a temporary table (filesort), 40 % of its
// CPU for the read (245 -> 150 us a GetBuild, through mysql2, 50 builds of 3
// runs); the caller puts rows in id order.
import { sql, type Compilable, type Kysely } from "kysely";
import { compiledOnce } from "./compiled-once.js";
import { BUILD_SUMMARY_COLUMNS, RUN_SUMMARY_COLUMNS, type BuildSummaryRow, type Database, type RunSummaryRow } from "./database.js";

type BuildWithProject = BuildSummaryRow & { project_name: string; project_public: number };
type EventRow = { id: number; status: number; time: number };

const EVENT_COLUMNS = ["id", "status", "time"] as const;

/** `table.column AS prefix+column` for each column, or NULL under that name. */
const refs = (table: string, columns: readonly string[], prefix: string) => columns.map((c) => sql.ref(`${table}.${c}`).as(`${prefix}${c}`));
const nulls = (columns: readonly string[], prefix: string) => columns.map((c) => sql`NULL`.as(`${prefix}${c}`));

type Args = { project: string; number: number };

const read = compiledOnce((db, a: Args) => {
  // The branches are built without the store's plugins: the union is one
  // query, which plugins see once, whole (a branch would otherwise be shown them on its own too).
  const plain = db.withoutPlugins();
  const build = db.selectFrom("builds").innerJoin("projects", "projects.id", "builds.project_id")
    .select([sql<string>`'b'`.as("kind"), ...refs("builds", BUILD_SUMMARY_COLUMNS, "b_"), sql.ref("projects.name").as("p_name"), sql.ref("projects.public").as("p_public"),
      ...nulls(EVENT_COLUMNS, "e_"), ...nulls(RUN_SUMMARY_COLUMNS, "r_")])
    .where("projects.name", "=", a.project).where("builds.number", "=", a.number);
  const events = plain.selectFrom("build_events").innerJoin("builds", "builds.id", "build_events.build_id").innerJoin("projects", "projects.id", "builds.project_id")
    .select([sql<string>`'e'`.as("kind"), ...nulls(BUILD_SUMMARY_COLUMNS, "b_"), sql`NULL`.as("p_name"), sql`NULL`.as("p_public"),
      ...refs("build_events", EVENT_COLUMNS, "e_"), ...nulls(RUN_SUMMARY_COLUMNS, "r_")])
    .where("projects.name", "=", a.project).where("builds.number", "=", a.number);
  const runs = plain.selectFrom("runs").innerJoin("builds", "builds.id", "runs.build_id").innerJoin("projects", "projects.id", "builds.project_id")
    .select([sql<string>`'r'`.as("kind"), ...nulls(BUILD_SUMMARY_COLUMNS, "b_"), sql`NULL`.as("p_name"), sql`NULL`.as("p_public"),
      ...nulls(EVENT_COLUMNS, "e_"), ...refs("runs", RUN_SUMMARY_COLUMNS, "r_")])
    .where("projects.name", "=", a.project).where("builds.number", "=", a.number);
  return build.unionAll(events).unionAll(runs) as unknown as Compilable<Record<string, unknown>>;
});

/** The columns under `prefix`, unprefixed. */
function part<T>(row: Record<string, unknown>, prefix: string, columns: readonly string[]): T {
  const out: Record<string, unknown> = {};
  for (const c of columns) out[c] = row[`${prefix}${c}`];
  return out as T;
}

/** Build `number` of project `project` (with the project's access facts), its runs and its events, unordered. */
export async function readBuildInOne(db: Kysely<Database>, args: Args): Promise<[BuildWithProject | undefined, RunSummaryRow[], EventRow[]]> {
  let build: BuildWithProject | undefined;
  const runs: RunSummaryRow[] = [];
  const events: EventRow[] = [];
  for (const row of await read.all(db, args)) {
    if (row["kind"] === "r") runs.push(part<RunSummaryRow>(row, "r_", RUN_SUMMARY_COLUMNS));
    else if (row["kind"] === "e") events.push(part<EventRow>(row, "e_", EVENT_COLUMNS));
    else build = { ...part<BuildSummaryRow>(row, "b_", BUILD_SUMMARY_COLUMNS), project_name: row["p_name"] as string, project_public: row["p_public"] as number };
  }
  return [build, runs, events];
}
