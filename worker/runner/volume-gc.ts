// Persistent volumes' garbage collection (JobServ's gc-volumes and its
// `docker volume prune`): a volume folder <volumesDir>/<project>/<name> not
// used by any run for `maxAgeMs` is removed. A run marks the volumes it mounts
// as used (their folder's mtime, set when mounted); volumes of runs in
// progress are never removed. Empty project folders go too.
import { readdir, rm, rmdir, stat, utimes } from "node:fs/promises";
import path from "node:path";

/** Marks a volume folder as used now. */
export async function markVolumeUsed(dir: string): Promise<void> {
  const now = new Date();
  await utimes(dir, now, now).catch(() => { /* removed meanwhile: recreated by the next run */ });
}

/** Removes volumes unused for `maxAgeMs`, except those in `inUse` (folder paths); returns the removed ones. */
export async function collectVolumes(volumesDir: string, maxAgeMs: number, inUse: ReadonlySet<string>, now = Date.now()): Promise<string[]> {
  const removed: string[] = [];
  for (const project of await entries(volumesDir)) {
    const projectDir = path.join(volumesDir, project);
    const volumes = await entries(projectDir);
    for (const volume of volumes) {
      const dir = path.join(projectDir, volume);
      const info = await stat(dir).catch(() => undefined);
      if (!info?.isDirectory() || inUse.has(dir) || now - info.mtimeMs < maxAgeMs) continue;
      await rm(dir, { recursive: true, force: true });
      removed.push(`${project}/${volume}`);
    }
    if (volumes.length && (await entries(projectDir)).length === 0) await rmdir(projectDir).catch(() => { /* in use again */ });
  }
  return removed;
}

async function entries(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}
