// A project definition file read out of a forge repository (JobServ's
// `definition_repo`/`definition_file`), named by trigger params:
// JOBSERV_DEFINITION_FILE (the path; `.jobserv.yml` when only a repository is
// named) read from the change's own repository at its commit, or from
// JOBSERV_DEFINITION_REPO (another repository, out of the change author's
// reach) at JOBSERV_DEFINITION_REF (default: its default branch). The param
// checks and a bounded fetch of the raw file; the forges build the request.
import { InvalidArgumentError } from "../errors.js";
import { DEFAULT_MAX_BYTES } from "../projects/parse.js";
import type { ApiRequest } from "./api-request.js";
import { HttpStatusError, redactUrl, RequestFailedError } from "./retry.js";

/** The github_pr / gitlab_mr trigger param naming the file, e.g. `.jobserv.yml`. */
export const DEFINITION_FILE_PARAM = "JOBSERV_DEFINITION_FILE";
export const DEFINITION_REPO_PARAM = "JOBSERV_DEFINITION_REPO";
export const DEFINITION_REF_PARAM = "JOBSERV_DEFINITION_REF";
const DEFAULT_FILE = ".jobserv.yml";

/** Where a trigger's definition file is: undefined when the trigger uses the stored definition. */
export interface DefinitionLocation {
  /** The file's raw param value (checked by definitionFilePath). */
  file: string;
  /** Another repository (`owner/repo` on GitHub, an id or `group/project` path on GitLab); undefined: the change's own. */
  repo?: string;
  /** Branch, tag or commit in `repo`; undefined: its default branch. */
  ref?: string;
}

export function definitionLocation(triggerParams: Record<string, string>): DefinitionLocation | undefined {
  const file = triggerParams[DEFINITION_FILE_PARAM]?.trim() ?? "";
  const repo = triggerParams[DEFINITION_REPO_PARAM]?.trim() ?? "";
  const ref = triggerParams[DEFINITION_REF_PARAM]?.trim() ?? "";
  if (!file && !repo) return undefined;
  if (!repo) return { file };
  if (!/^[\w.-]+(\/[\w.-]+)*$/.test(repo) || repo.split("/").some((p) => p === "." || p === "..")) {
    throw new InvalidArgumentError(`${DEFINITION_REPO_PARAM}: "${repo}" is not a repository name`);
  }
  return { file: file || DEFAULT_FILE, repo, ...(ref ? { ref } : {}) };
}

/** The repository-relative path of the param's value; throws on absolute or `..` paths. */
export function definitionFilePath(value: string): string {
  const path = value.trim().replace(/^(\.\/)+/, "");
  const parts = path.split("/");
  if (path === "" || path.startsWith("/") || parts.some((p) => p === "" || p === "." || p === "..")) {
    throw new InvalidArgumentError(`${DEFINITION_FILE_PARAM}: "${value}" is not a relative path inside the repository`);
  }
  return path;
}

/** The file's text; HttpStatusError on non-2xx (404: no such file at that commit), Error when too large. */
export async function fetchDefinitionFile(req: ApiRequest, what: string, maxBytes = DEFAULT_MAX_BYTES): Promise<string> {
  let res: Response;
  try {
    res = await fetch(req.url, { method: req.method, headers: { "user-agent": "jobserv", ...req.headers }, signal: AbortSignal.timeout(15_000) });
  } catch (e) {
    throw new RequestFailedError(redactUrl(req.url), e, what);
  }
  if (!res.ok) throw new HttpStatusError(res.status, await res.text(), `${what} (${req.method} ${redactUrl(req.url)})`);
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw new Error(`${what}: larger than ${maxBytes} bytes`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new Error(`${what}: larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
