// Prepares what a run's container sees, in the run folder on the worker host:
// /script-repo (the inline script as do_run, or the cloned script repo),
// /archive, /secrets (one file per secret, mode 0400), persistent volumes
// (per project, kept between runs), shared volumes (read-only, from the
// worker's configuration) and, for git-based triggers, /repo at GIT_SHA.
import { chmod, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { RunDefinition } from "../../gen/jobserv/v1/run_definition_pb.js";
import { cloneAt } from "./git.js";
import { markVolumeUsed } from "./volume-gc.js";

export interface MountConfig {
  /** Parent of persistent volumes: <volumesDir>/<project>/<volume>. */
  volumesDir: string;
  /** Shared volume name -> host path. */
  sharedVolumes: Record<string, string>;
}

export interface MountPlan {
  binds: string[];
  /** The script to execute, as a path inside the container. */
  command: string;
  workingDir: string;
}

const GIT_TRIGGERS = new Set(["github_pr", "gitlab_mr", "git_poller"]);

/** Names become file names: anything that could leave its folder is refused. */
function safeName(kind: string, name: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(name) || name === "." || name === "..") throw new Error(`${kind} name "${name}" is not a safe file name`);
  return name;
}

export async function prepareMounts(def: RunDefinition, dir: string, config: MountConfig, log: (line: string) => void): Promise<MountPlan> {
  const binds: string[] = [];
  const host = (name: string) => path.join(dir, name);
  let command = "/script-repo/do_run";

  await mkdir(host("archive"), { recursive: true });
  binds.push(`${host("archive")}:/archive`);

  if (def.scriptRepo && def.scriptRepo.cloneUrl) {
    const repo = def.scriptRepo;
    const credentials = repo.tokenSecret ? repo.tokenSecret.split(":").map((n) => def.secrets[n] ?? "").join(":").replace(/^:/, "") : undefined;
    const sha = await cloneAt(repo.cloneUrl, host("script-repo"), { ref: repo.gitRef || undefined, credentials });
    log(`== script-repo ${repo.cloneUrl} ${repo.gitRef || "(default branch)"} at ${sha}\n`);
    command = path.posix.join("/script-repo", path.posix.normalize(`/${repo.path}`));
  } else {
    await mkdir(host("script-repo"), { recursive: true });
    await writeFile(path.join(host("script-repo"), "do_run"), def.script, { mode: 0o555 });
  }
  binds.push(`${host("script-repo")}:/script-repo:ro`);

  await mkdir(host("secrets"), { recursive: true, mode: 0o700 });
  for (const [name, value] of Object.entries(def.secrets)) {
    const file = path.join(host("secrets"), safeName("secret", name));
    await writeFile(file, value, { mode: 0o400 });
    await chmod(file, 0o400);
  }
  binds.push(`${host("secrets")}:/secrets:ro`);

  for (const [name, target] of Object.entries(def.persistentVolumes)) {
    const src = path.join(config.volumesDir, safeName("project", def.project), safeName("persistent volume", name));
    await mkdir(src, { recursive: true });
    await markVolumeUsed(src);
    binds.push(`${src}:${target}`);
  }
  for (const [name, target] of Object.entries(def.sharedVolumes)) {
    const src = config.sharedVolumes[name];
    if (!src) throw new Error(`shared volume "${name}" is not configured on this worker (JOBSERV_WORKER_SHARED_VOLUMES)`);
    binds.push(`${src}:${target}:ro`);
  }

  let workingDir = "/";
  const gitUrl = def.env["GIT_URL"];
  if (GIT_TRIGGERS.has(def.triggerType) && gitUrl) {
    const token = def.secrets["githubtok"] ?? def.secrets["gitlabtok"];
    const sha = await cloneAt(gitUrl, host("repo"), { ref: def.env["GIT_SHA"] || undefined, credentials: token });
    log(`== checked out ${gitUrl} at ${sha}\n`);
    binds.push(`${host("repo")}:/repo`);
    workingDir = "/repo";
  }
  return { binds, command, workingDir };
}
