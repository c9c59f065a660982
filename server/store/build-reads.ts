// Reads of one build addressed as callers name it (project name + number),
// each one query joined through projects, so GetBuild issues its reads at
// once (one round trip) instead of resolving the project, then the build,
// then its runs and events one after the other.
import type { Kysely } from "kysely";
import type { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { BuildRow, Database, RunRow } from "./database.js";

/** What access decisions need of a project: never its definition. */
export interface ProjectAccessRow { id: number; name: string; public: number }

/** The project's access facts by name (no definition text read). */
export function findProjectAccess(db: Kysely<Database>, name: string): Promise<ProjectAccessRow | undefined> {
  return db.selectFrom("projects").select(["id", "name", "public"]).where("name", "=", name).executeTakeFirst();
}

/** Build `number` of project `projectName` with its project's access facts. */
export async function findBuildByName(db: Kysely<Database>, projectName: string, number: number): Promise<{ build: BuildRow; project: ProjectAccessRow } | undefined> {
  const row = await db.selectFrom("builds").innerJoin("projects", "projects.id", "builds.project_id")
    .selectAll("builds").select(["projects.name as project_name", "projects.public as project_public"])
    .where("projects.name", "=", projectName).where("builds.number", "=", number).executeTakeFirst();
  if (!row) return undefined;
  const { project_name, project_public, ...build } = row;
  return { build, project: { id: build.project_id, name: project_name, public: project_public } };
}

/** The runs of build `number` of project `projectName`, in creation order. */
export function listRunsOfBuildByName(db: Kysely<Database>, projectName: string, number: number): Promise<RunRow[]> {
  return db.selectFrom("runs").innerJoin("builds", "builds.id", "runs.build_id").innerJoin("projects", "projects.id", "builds.project_id")
    .selectAll("runs").where("projects.name", "=", projectName).where("builds.number", "=", number).orderBy("runs.id").execute();
}

/** The status history of build `number` of project `projectName`, oldest first. */
export async function listBuildEventsByName(db: Kysely<Database>, projectName: string, number: number): Promise<{ status: Status; time: number }[]> {
  const rows = await db.selectFrom("build_events").innerJoin("builds", "builds.id", "build_events.build_id").innerJoin("projects", "projects.id", "builds.project_id")
    .select(["build_events.status", "build_events.time"]).where("projects.name", "=", projectName).where("builds.number", "=", number)
    .orderBy("build_events.id").execute();
  return rows.map((r) => ({ status: r.status as Status, time: Number(r.time) }));
}

/** Builds of project `projectName` newest first, numbers below `beforeNumber`, each with its project's access facts. */
export async function listBuildsByName(db: Kysely<Database>, projectName: string, beforeNumber: number, limit: number): Promise<{ builds: BuildRow[]; project: ProjectAccessRow | undefined }> {
  const rows = await db.selectFrom("builds").innerJoin("projects", "projects.id", "builds.project_id")
    .selectAll("builds").select(["projects.name as project_name", "projects.public as project_public"])
    .where("projects.name", "=", projectName).where("builds.number", "<", beforeNumber)
    .orderBy("builds.number", "desc").limit(limit).execute();
  const first = rows[0];
  const project = first ? { id: first.project_id, name: first.project_name, public: first.project_public } : undefined;
  return { builds: rows.map(({ project_name: _n, project_public: _p, ...build }) => build), project };
}
