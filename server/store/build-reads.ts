// Reads of one build addressed as callers name it (project name + number),
// joined through projects, so GetBuild does not resolve the project, then the
// build, then its runs and events one after the other. On MariaDB it is one
// statement (build-union.ts); on SQLite three, the name resolved by scalar
// subqueries (caps.joinsCostMore). Each query is built and compiled once
// (compiled-once.ts).
import type { ExpressionBuilder, Kysely } from "kysely";
import type { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { DialectCaps } from "./caps.js";
import { readBuildInOne } from "./build-union.js";
import { compiledOnce } from "./compiled-once.js";
import { BUILD_SUMMARY_COLUMNS, RUN_SUMMARY_COLUMNS, type BuildSummaryRow, type Database, type RunSummaryRow } from "./database.js";

const BUILD_COLUMNS = BUILD_SUMMARY_COLUMNS.map((c) => `builds.${c}` as const);
const RUN_COLUMNS = RUN_SUMMARY_COLUMNS.map((c) => `runs.${c}` as const);

/** What access decisions need of a project: never its definition. */
export interface ProjectAccessRow { id: number; name: string; public: number }

const projectAccess = compiledOnce((db, a: { name: string }) => db.selectFrom("projects").select(["id", "name", "public"]).where("name", "=", a.name));

/** The project's access facts by name (no definition text read). */
export function findProjectAccess(db: Kysely<Database>, name: string): Promise<ProjectAccessRow | undefined> {
  return projectAccess.first(db, { name });
}

export interface BuildByName {
  found: { build: BuildSummaryRow; project: ProjectAccessRow } | undefined;
  runs: RunSummaryRow[];
  events: { status: Status; time: number }[];
}

/** Build `number` of project `projectName` with its project's access facts, its runs and its events: one statement on MariaDB, three sent at once on SQLite. */
export async function readBuildByName(db: Kysely<Database>, caps: DialectCaps, projectName: string, number: number): Promise<BuildByName> {
  const args = { project: projectName, number };
  const [build, runs, events] = caps.joinsCostMore
    ? await Promise.all([subqueried.build.first(db, args), subqueried.runs.all(db, args), subqueried.events.all(db, args)])
    : await readBuildInOne(db, args);
  return { found: projectFactsApart(build), runs: byId(runs), events: eventRows(byId(events)) };
}

type ByName = { project: string; number: number };

type Eb = ExpressionBuilder<Database, keyof Database>;
const projectIdOf = (eb: Eb, name: string) => eb.selectFrom("projects as p").select("p.id").where("p.name", "=", name);
const buildIdOf = (eb: Eb, projectName: string, number: number) =>
  eb.selectFrom("builds as b").select("b.id").where("b.project_id", "=", projectIdOf(eb, projectName)).where("b.number", "=", number);

const subqueried = {
  build: compiledOnce((db, a: ByName) => db.selectFrom("builds").select(BUILD_COLUMNS).select((eb) => [
    eb.selectFrom("projects").select("projects.name").whereRef("projects.id", "=", "builds.project_id").$asScalar().$notNull().as("project_name"),
    eb.selectFrom("projects").select("projects.public").whereRef("projects.id", "=", "builds.project_id").$asScalar().$notNull().as("project_public"),
  ]).where((eb) => eb("builds.project_id", "=", projectIdOf(eb, a.project))).where("builds.number", "=", a.number)),
  runs: compiledOnce((db, a: ByName) => db.selectFrom("runs").select(RUN_COLUMNS)
    .where((eb) => eb("runs.build_id", "=", buildIdOf(eb, a.project, a.number)))),
  events: compiledOnce((db, a: ByName) => db.selectFrom("build_events").select(["build_events.id", "build_events.status", "build_events.time"])
    .where((eb) => eb("build_events.build_id", "=", buildIdOf(eb, a.project, a.number)))),
};

/** Rows in id order (the reads have no ORDER BY: see build-union.ts). */
function byId<T extends { id: number }>(rows: T[]): T[] {
  return rows.sort((a, b) => a.id - b.id);
}

function projectFactsApart(row: (BuildSummaryRow & { project_name: string; project_public: number }) | undefined): BuildByName["found"] {
  if (!row) return undefined;
  const { project_name, project_public, ...build } = row;
  return { build, project: { id: build.project_id, name: project_name, public: project_public } };
}

function eventRows(rows: { status: number; time: number }[]): BuildByName["events"] {
  return rows.map((r) => ({ status: r.status as Status, time: Number(r.time) }));
}

const buildPage = compiledOnce((db, a: { project: string; before: number; limit: number }) => db.selectFrom("builds").innerJoin("projects", "projects.id", "builds.project_id")
  .select(BUILD_COLUMNS).select(["projects.name as project_name", "projects.public as project_public"])
  .where("projects.name", "=", a.project).where("builds.number", "<", a.before)
  .orderBy("builds.number", "desc").limit(a.limit));

/** Builds of project `projectName` newest first, numbers below `beforeNumber`, each with its project's access facts. */
export async function listBuildsByName(db: Kysely<Database>, projectName: string, beforeNumber: number, limit: number): Promise<{ builds: BuildSummaryRow[]; project: ProjectAccessRow | undefined }> {
  const rows = await buildPage.all(db, { project: projectName, before: beforeNumber, limit });
  const first = rows[0];
  const project = first ? { id: first.project_id, name: first.project_name, public: first.project_public } : undefined;
  return { builds: rows.map(({ project_name: _n, project_public: _p, ...build }) => build), project };
}
