// A run's artifacts: storing an upload (path checks, size limits, storage
// key, index row) and opening one for download. Storage holds the bytes; the
// `artifacts` table is the index that listing and downloads go by.
import type { Readable } from "node:stream";
import { InvalidArgumentError, NotFoundError } from "../errors.js";
import type { RunRow, WorkerRunRow } from "../store/database.js";
import type { Store } from "../store/db.js";
import { artifactBytes, findArtifact, recordArtifact, runKeyParts } from "../store/artifacts.js";
import { isReservedArtifactPath, normaliseArtifactPath } from "./artifact-path.js";
import { ArtifactTooLargeError, artifactKey, type ArtifactStorage } from "./storage.js";

export interface ArtifactDeps {
  store: Store;
  storage: ArtifactStorage;
  maxFileBytes: number;
  maxRunBytes: number;
  now: () => number;
}

/**
 * Stores `body` as artifact `rawPath` of `run` (already authorised) and
 * indexes it, replacing an earlier upload of the same path. Throws
 * InvalidArgumentError for a bad or reserved path and ArtifactTooLargeError
 * when the file passes the per-file limit or the run's remaining budget
 * (`declaredSize`, when known, is checked before any byte is read).
 * Concurrent uploads of one run may overshoot the run budget by at most one file.
 */
export async function storeArtifact(deps: ArtifactDeps, run: WorkerRunRow, rawPath: string, body: AsyncIterable<Uint8Array>,
  declaredSize: number | undefined): Promise<{ path: string; size: number }> {
  const path = normaliseArtifactPath(rawPath);
  if (isReservedArtifactPath(path)) throw new InvalidArgumentError(`artifact path "${path}" is reserved for the run's own file`);
  const parts = await runKeyParts(deps.store.db, run.id);
  if (!parts) throw new NotFoundError(`run ${run.id} not found`);
  const remaining = deps.maxRunBytes - await artifactBytes(deps.store.db, run.id, path);
  const maxBytes = Math.max(0, Math.min(deps.maxFileBytes, remaining));
  if (declaredSize !== undefined && declaredSize > maxBytes) throw new ArtifactTooLargeError(maxBytes);
  const { size } = await deps.storage.put(artifactKey(parts.project, parts.build, parts.run, path), body, { maxBytes });
  await recordArtifact(deps.store.db, { run_id: run.id, path, size, created_at: deps.now() });
  return { path, size };
}

/** Opens artifact `rawPath` of `run` for reading; NotFoundError if the run has none by that path. */
export async function openArtifact(deps: Pick<ArtifactDeps, "store" | "storage">, run: RunRow, rawPath: string,
  names: { project: string; build: number; run: string }): Promise<{ path: string; size: number; body: Readable }> {
  const path = normaliseArtifactPath(rawPath);
  const row = await findArtifact(deps.store.db, run.id, path);
  const object = row && await deps.storage.get(artifactKey(names.project, names.build, names.run, path));
  if (!object) throw new NotFoundError(`run ${names.project}#${names.build}/${names.run} has no artifact "${path}"`);
  return { path, size: object.size, body: object.body };
}

/** Where an external build's artifact `rawPath` is (its link), or undefined for a stored file or none. */
export async function artifactLink(store: Store, run: RunRow, rawPath: string): Promise<string | undefined> {
  const row = await findArtifact(store.db, run.id, normaliseArtifactPath(rawPath));
  return row?.link_url ?? undefined;
}

/**
 * A presigned URL reading artifact `rawPath` of `run` for `seconds`;
 * NotFoundError if the run has none by that path or the storage gives no URLs.
 */
export async function presignArtifact(deps: Pick<ArtifactDeps, "store" | "storage">, run: RunRow, rawPath: string,
  names: { project: string; build: number; run: string }, seconds: number): Promise<string> {
  const path = normaliseArtifactPath(rawPath);
  const row = await findArtifact(deps.store.db, run.id, path);
  if (!row || !deps.storage.presign) throw new NotFoundError(`run ${names.project}#${names.build}/${names.run} has no artifact "${path}"`);
  return deps.storage.presign(artifactKey(names.project, names.build, names.run, path), seconds);
}

/** Removes every stored file under `prefix` (a run's `<project>/<build>/<run>/`, or a project's `<project>/`). */
export async function deleteStoredArtifacts(storage: ArtifactStorage, prefix: string): Promise<number> {
  let n = 0;
  for await (const object of storage.list(prefix)) {
    await storage.delete(object.key);
    n++;
  }
  return n;
}

/** The storage prefix of one run's files. */
export const runArtifactsPrefix = (p: { project: string; build: number; run: string }): string => artifactKey(p.project, p.build, p.run, "");
