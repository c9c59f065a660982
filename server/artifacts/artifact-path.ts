// Artifact paths as clients and workers give them: checked and normalised
// before they are used as a storage key or a store row. Traversal (`..`),
// absolute paths, NUL and other control characters, and backslashes are
// refused rather than repaired, so one path never names two files.
import { InvalidArgumentError } from "../errors.js";

/** The store's column holds this many characters. */
export const MAX_ARTIFACT_PATH = 700;

/** Names the run-files routes answer themselves; an artifact may not shadow them. */
const RESERVED = new Set(["console.log", ".rundef.json"]);

/**
 * Returns `raw` with empty and `.` segments dropped ("a//./b" -> "a/b"), or
 * throws InvalidArgumentError naming the problem.
 */
export function normaliseArtifactPath(raw: string): string {
  if (raw.includes("\\")) throw new InvalidArgumentError(`artifact path "${raw}": backslashes are not allowed`);
  if (/[\u0000-\u001f\u007f]/.test(raw)) throw new InvalidArgumentError(`artifact path ${JSON.stringify(raw)}: control characters are not allowed`);
  if (raw.startsWith("/")) throw new InvalidArgumentError(`artifact path "${raw}": must be relative`);
  const segments = raw.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.includes("..")) throw new InvalidArgumentError(`artifact path "${raw}": ".." is not allowed`);
  const path = segments.join("/");
  if (!path) throw new InvalidArgumentError(`artifact path "${raw}": empty`);
  if (raw.endsWith("/")) throw new InvalidArgumentError(`artifact path "${raw}": names a folder`);
  if (path.length > MAX_ARTIFACT_PATH) throw new InvalidArgumentError(`artifact path: ${path.length} characters; at most ${MAX_ARTIFACT_PATH}`);
  return path;
}

/** Whether `path` (normalised) is one of the run's own files rather than an artifact. */
export function isReservedArtifactPath(path: string): boolean {
  return RESERVED.has(path);
}
