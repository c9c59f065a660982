// The GitHub request for a definition file:
// `GET {api}/repos/{owner}/{repo}/contents/{path}[?ref={ref}]` with the raw
// media type, so GitHub answers with the file's bytes (no ref: the default
// branch). The PR's head commit is readable in the base repository, so the
// trigger's `githubtok` suffices for forks too.
import type { ApiRequest } from "../api-request.js";

export function definitionFileRequest(api: string, token: string | undefined, owner: string, repo: string, path: string, ref: string | undefined): ApiRequest {
  const headers: Record<string, string> = { accept: "application/vnd.github.raw+json", "x-github-api-version": "2022-11-28" };
  if (token) headers["authorization"] = `token ${token}`;
  const file = path.split("/").map(encodeURIComponent).join("/");
  const url = `${api}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/contents/${file}${ref ? `?ref=${encodeURIComponent(ref)}` : ""}`;
  return { method: "GET", url, headers };
}
