// ArtifactStorage in a local directory (JOBSERV_ARTIFACTS_DIR): one file per
// key. Several server instances can share it over a network filesystem.
// Writes go to a temporary file in `~incoming/` (not a valid project name,
// so never a key's first segment) and are renamed into place when complete.
import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ArtifactTooLargeError, type ArtifactStorage, type PutOptions, type StoredObject } from "./storage.js";

const INCOMING = "~incoming";

export class LocalArtifactStorage implements ArtifactStorage {
  private readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  async put(key: string, body: AsyncIterable<Uint8Array>, opts: PutOptions): Promise<{ size: number }> {
    const target = this.fileOf(key);
    const incoming = path.join(this.root, INCOMING);
    await mkdir(incoming, { recursive: true });
    const temp = path.join(incoming, randomBytes(12).toString("hex"));
    let size = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        done(size > opts.maxBytes ? new ArtifactTooLargeError(opts.maxBytes) : null, chunk);
      },
    });
    try {
      await pipeline(body, limit, createWriteStream(temp, { flags: "wx" }));
      await mkdir(path.dirname(target), { recursive: true });
      await rename(temp, target);
    } catch (e) {
      await rm(temp, { force: true });
      throw e;
    }
    return { size };
  }

  async get(key: string, from = 0): Promise<{ size: number; body: Readable } | undefined> {
    const file = this.fileOf(key);
    try {
      const s = await stat(file);
      if (!s.isFile()) return undefined;
      return { size: s.size, body: from >= s.size ? Readable.from([]) : createReadStream(file, { start: from }) };
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    // Walk from the deepest folder the prefix names, then filter by the full prefix.
    const slash = prefix.lastIndexOf("/");
    const base = slash < 0 ? "" : prefix.slice(0, slash);
    const start = base ? this.fileOf(base) : this.root;
    yield* this.walk(start, base, prefix);
  }

  async delete(key: string): Promise<void> {
    await rm(this.fileOf(key), { force: true });
  }

  private async *walk(dir: string, keyPrefix: string, want: string): AsyncIterable<StoredObject> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      if (isMissing(e) || (e as { code?: string }).code === "ENOTDIR") return;
      throw e;
    }
    for (const entry of entries) {
      if (!keyPrefix && entry.name === INCOMING) continue;
      const key = keyPrefix ? `${keyPrefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (want.startsWith(`${key}/`) || key.startsWith(want)) yield* this.walk(path.join(dir, entry.name), key, want);
      } else if (entry.isFile() && key.startsWith(want)) {
        yield { key, size: (await stat(path.join(dir, entry.name))).size };
      }
    }
  }

  /** The file of `key`, refusing any key that would resolve outside the root. */
  private fileOf(key: string): string {
    const file = path.resolve(this.root, key);
    if (!file.startsWith(this.root + path.sep) || key.includes("\0")) throw new Error(`artifact key "${key}" is outside the storage root`);
    return file;
  }
}

function isMissing(e: unknown): boolean {
  const code = (e as { code?: string }).code;
  return code === "ENOENT" || code === "ENOTDIR";
}
