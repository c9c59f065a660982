// Reads of one build addressed as callers name it (project name + number),
// each one query joined through projects, so GetBuild issues its reads at
// once (one round trip) instead of resolving the project, then the build,
// then its runs and events one after the other. On SQLite the name is
// resolved by scalar subqueries instead (caps.joinsCostMore). Each query is
// built and compiled once (compiled-once.ts).
import type { ExpressionBuilder, Kysely } from "kysely";
import type { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { DialectCaps } from "./caps.js";
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

/** Build `number` of project `projectName` with its project's access facts, its runs and its events: queries sent at once (three on SQLite, two on MariaDB). */
export async function readBuildByName(db: Kysely<Database>, caps: DialectCaps, projectName: string, number: number): Promise<BuildByName> {
  const args = { project: projectName, number };
  if (caps.joinsCostMore) {
    const [build, runs, events] = await Promise.all([subqueried.build.first(db, args), subqueried.runs.all(db, args), subqueried.events.all(db, args)]);
    return { found: projectFactsApart(build), runs, events: eventRows(events) };
  }
  // Two statements, not three: the build comes with its events (a few rows, the build's columns on each).
  const [withEvents, runs] = await Promise.all([joined.buildWithEvents.all(db, args), joined.runs.all(db, args)]);
  const first = withEvents[0];
  if (!first) return { found: undefined, runs, events: [] };
  const { event_status: _s, event_time: _t, ...build } = first;
  const events = withEvents.flatMap((r) => (r.event_status === null || r.event_time === null ? [] : [{ status: r.event_status, time: r.event_time }]));
  return { found: projectFactsApart(build), runs, events: eventRows(events) };
}

type ByName = { project: string; number: number };

const joined = {
  buildWithEvents: compiledOnce((db, a: ByName) => db.selectFrom("builds").innerJoin("projects", "projects.id", "builds.project_id")
    .leftJoin("build_events", "build_events.build_id", "builds.id")
    .select(BUILD_COLUMNS).select(["projects.name as project_name", "projects.public as project_public", "build_events.status as event_status", "build_events.time as event_time"])
    .where("projects.name", "=", a.project).where("builds.number", "=", a.number).orderBy("build_events.id")),
  runs: compiledOnce((db, a: ByName) => db.selectFrom("runs").innerJoin("builds", "builds.id", "runs.build_id").innerJoin("projects", "projects.id", "builds.project_id")
    .select(RUN_COLUMNS).where("projects.name", "=", a.project).where("builds.number", "=", a.number).orderBy("runs.id")),
};

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
    .where((eb) => eb("runs.build_id", "=", buildIdOf(eb, a.project, a.number))).orderBy("runs.id")),
  events: compiledOnce((db, a: ByName) => db.selectFrom("build_events").select(["build_events.status", "build_events.time"])
    .where((eb) => eb("build_events.build_id", "=", buildIdOf(eb, a.project, a.number))).orderBy("build_events.id")),
};

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
