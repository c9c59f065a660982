// Resolves names given by callers (project, build number, run name) to rows,
// or throws NotFoundError saying which part is unknown.
import { NotFoundError } from "../errors.js";
import type { BuildRow, ProjectRow, RunRow } from "../store/database.js";
import type { Store } from "../store/db.js";
import { findBuild } from "../store/builds.js";
import { findProjectByName } from "../store/projects.js";
import { findRunByName } from "../store/runs.js";

export async function resolveProject(store: Store, name: string): Promise<ProjectRow> {
  const project = await findProjectByName(store.db, name);
  if (!project) throw new NotFoundError(`project "${name}" not found`);
  return project;
}

export async function resolveBuild(store: Store, projectName: string, number: number): Promise<{ project: ProjectRow; build: BuildRow }> {
  const project = await resolveProject(store, projectName);
  const build = await findBuild(store.db, project.id, number);
  if (!build) throw new NotFoundError(`build ${projectName}#${number} not found`);
  return { project, build };
}

export async function resolveRun(store: Store, ref: { project: string; buildNumber: number; run: string } | undefined): Promise<{ project: ProjectRow; build: BuildRow; run: RunRow }> {
  if (!ref) throw new NotFoundError("run reference missing");
  const { project, build } = await resolveBuild(store, ref.project, ref.buildNumber);
  const run = await findRunByName(store.db, build.id, ref.run);
  if (!run) throw new NotFoundError(`run ${ref.project}#${ref.buildNumber}/${ref.run} not found`);
  return { project, build, run };
}
