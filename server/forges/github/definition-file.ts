// Reading a project definition file out of a GitHub repository at one commit
// (JobServ's `definition_file`): `GET {api}/repos/{owner}/{repo}/contents/{path}?ref={sha}`
// with the raw media type, so GitHub answers with the file's bytes. A pure
// request builder plus a bounded fetch; the PR's head commit is readable in
// the base repository, so the trigger's `githubtok` suffices for forks too.
import { InvalidArgumentError } from "../../errors.js";
import { DEFAULT_MAX_BYTES } from "../../projects/parse.js";
import { HttpStatusError } from "../retry.js";
import type { ApiRequest } from "./api.js";

/** The github_pr trigger param naming the file, e.g. `.jobserv.yml`. */
export const DEFINITION_FILE_PARAM = "JOBSERV_DEFINITION_FILE";

/** The repository-relative path of the param's value; throws on absolute or `..` paths. */
export function definitionFilePath(value: string): string {
  const path = value.trim().replace(/^(\.\/)+/, "");
  const parts = path.split("/");
  if (path === "" || path.startsWith("/") || parts.some((p) => p === "" || p === "." || p === "..")) {
    throw new InvalidArgumentError(`${DEFINITION_FILE_PARAM}: "${value}" is not a relative path inside the repository`);
  }
  return path;
}

export function definitionFileRequest(api: string, token: string | undefined, owner: string, repo: string, path: string, sha: string): ApiRequest {
  const headers: Record<string, string> = { accept: "application/vnd.github.raw+json", "x-github-api-version": "2022-11-28" };
  if (token) headers["authorization"] = `token ${token}`;
  const file = path.split("/").map(encodeURIComponent).join("/");
  const url = `${api}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/contents/${file}?ref=${encodeURIComponent(sha)}`;
  return { method: "GET", url, headers };
}

/** The file's text; HttpStatusError on non-2xx (404: no such file at that commit), Error when too large. */
export async function fetchDefinitionFile(req: ApiRequest, what: string, maxBytes = DEFAULT_MAX_BYTES): Promise<string> {
  const res = await fetch(req.url, { method: req.method, headers: { "user-agent": "jobserv", ...req.headers }, signal: AbortSignal.timeout(15_000) });
  if (!res.ok) throw new HttpStatusError(res.status, await res.text(), what);
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
