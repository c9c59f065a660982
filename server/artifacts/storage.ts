// The artifact storage contract: objects under keys
// `<project>/<build>/<run>/<path>`, written and read as streams so that a
// file never has to fit in memory. `local-storage.ts` keeps them in a
// directory, `s3-storage.ts` in an S3-compatible bucket.
import type { Readable } from "node:stream";

export interface StoredObject {
  key: string;
  size: number;
}

export interface PutOptions {
  /** The write fails with ArtifactTooLargeError once the body passes this many bytes. */
  maxBytes: number;
}

export interface ArtifactStorage {
  /**
   * Streams `body` to `key`. The object appears only once the body is
   * complete (readers never see part of a file) and then replaces any object
   * at `key`, so a repeated put is safe. Rejects with ArtifactTooLargeError
   * over `maxBytes`, or with the body's own error; nothing is left behind
   * either way. Safe to call concurrently, also for the same key (last wins).
   */
  put(key: string, body: AsyncIterable<Uint8Array>, opts: PutOptions): Promise<{ size: number }>;
  /**
   * The object's (whole) size and a stream of its bytes from offset `from`
   * (default 0; at or past the end: an empty stream), or undefined if there is none.
   */
  get(key: string, from?: number): Promise<{ size: number; body: Readable } | undefined>;
  /** Every object whose key starts with `prefix`, in no particular order. */
  list(prefix: string): AsyncIterable<StoredObject>;
  /** Removes the object at `key`; no error if there is none. */
  delete(key: string): Promise<void>;
  /**
   * A URL that reads the object without credentials for `seconds`, when the
   * backend can give one (S3-compatible stores); absent otherwise.
   */
  presign?(key: string, seconds: number): Promise<string>;
}

/** A put stopped because the body passed its size limit. */
export class ArtifactTooLargeError extends Error {
  override name = "ArtifactTooLargeError";
  constructor(readonly limit: number) {
    super(`larger than the limit of ${limit} bytes`);
  }
}

/** The storage key of a run's artifact; `path` must be normalised (see artifact-path.ts). */
export function artifactKey(project: string, buildNumber: number, run: string, path: string): string {
  return `${project}/${buildNumber}/${safeSegment(run)}/${path}`;
}

/**
 * A run name as a file-name-safe key segment: characters other than letters,
 * digits, `.`, `_` and `-` (a host-tag pattern's `*?[]!`) as %XX, so no glob
 * or shell character reaches a folder name. Plain names are unchanged.
 */
export function safeSegment(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}
