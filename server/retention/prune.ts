// Retention: which builds a project's policy no longer keeps (keep the newest
// N and/or those younger than D days; promoted builds and builds not complete
// always stay), and deleting them with everything they own: runs, status
// events, tests, artifact rows and log chunks in the store (one transaction),
// then their files in artifact storage (artifacts and moved logs, the
// `<project>/<build>/` prefix). A dry run only reports.
import type { ArtifactStorage } from "../artifacts/storage.js";
import { deleteStoredArtifacts } from "../artifacts/run-artifacts.js";
import type { Store } from "../store/db.js";
import { buildFootprint, deletePrunedBuild, pruneCandidates, retentionPolicies, type RetentionPolicy } from "../store/retention.js";

const DAY_MS = 86_400_000;
/** Builds handled per project per pass: a long backlog is worked off over several passes. */
const BATCH = 200;

export interface PrunedBuild { project: string; number: number; runs: number; artifactBytes: number; logBytes: number }

export interface PruneDeps { store: Store; storage: ArtifactStorage; now: () => number }

/** Applies the policies of every project that has one (or of `project` only). Oldest builds first. */
export async function pruneBuilds(deps: PruneDeps, opts: { project?: string; dryRun: boolean }): Promise<PrunedBuild[]> {
  const out: PrunedBuild[] = [];
  for (const policy of await retentionPolicies(deps.store.db, opts.project)) out.push(...await pruneProject(deps, policy, opts.dryRun));
  return out;
}

async function pruneProject(deps: PruneDeps, policy: RetentionPolicy, dryRun: boolean): Promise<PrunedBuild[]> {
  const out: PrunedBuild[] = [];
  for (const c of await pruneCandidates(deps.store.db, policy, deps.now() - policy.keepDays * DAY_MS, BATCH)) {
    const f = await buildFootprint(deps.store.db, c.buildId);
    const pruned = { project: policy.project, number: c.number, runs: f.runs.length, artifactBytes: f.artifactBytes, logBytes: f.movedLogBytes };
    if (dryRun) { out.push(pruned); continue; }
    // Files first, then the rows (if the build is still complete and unpromoted):
    // a crash in between leaves a build whose files are gone, pruned again on
    // the next pass, never files that no row leads to.
    await deleteStoredArtifacts(deps.storage, `${policy.project}/${c.number}/`);
    if (!await deletePrunedBuild(deps.store.db, c.buildId)) continue;
    out.push(pruned);
  }
  return out;
}
