// Lists the regular files a run left in its /archive folder, with paths
// relative to it. Symbolic links are never followed (a script could point
// one at any file of the worker host); they are reported as skipped.
import { lstat, readdir } from "node:fs/promises";
import path from "node:path";

export interface ArchiveFile {
  /** "/"-separated, relative to the archive folder. */
  relPath: string;
  file: string;
  size: number;
}

export async function listArchive(root: string): Promise<{ files: ArchiveFile[]; skipped: string[] }> {
  const files: ArchiveFile[] = [];
  const skipped: string[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const relPath = prefix ? `${prefix}/${entry.name}` : entry.name;
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(file, relPath);
      else if (entry.isFile()) files.push({ relPath, file, size: (await lstat(file)).size });
      else skipped.push(relPath);
    }
  };
  try {
    await walk(root, "");
  } catch (e) {
    if ((e as { code?: string }).code !== "ENOENT") throw e;
  }
  return { files, skipped };
}
