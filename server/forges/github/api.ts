// The GitHub REST calls jobserv makes: read a pull request, set a commit
// status. `api` is the configured base (https://api.github.com, or
// https://host/api/v3 for GitHub Enterprise). Pure request builders.
import { send, type ApiRequest } from "../api-request.js";
import type { Json } from "../payload.js";

function headers(token: string | undefined): Record<string, string> {
  const h: Record<string, string> = { accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28" };
  if (token) h["authorization"] = `token ${token}`;
  return h;
}

const seg = encodeURIComponent;

export function pullRequestRequest(api: string, token: string | undefined, owner: string, repo: string, number: string): ApiRequest {
  return { method: "GET", url: `${api}/repos/${seg(owner)}/${seg(repo)}/pulls/${seg(number)}`, headers: headers(token) };
}

export type GithubState = "pending" | "success" | "failure" | "error";

export interface StatusBody {
  state: GithubState;
  /** Optional in GitHub's API: a status about a build that was never created has none. */
  target_url?: string;
  description: string;
  context: string;
}

export function commitStatusRequest(api: string, token: string | undefined, owner: string, repo: string, sha: string, body: StatusBody): ApiRequest {
  return { method: "POST", url: `${api}/repos/${seg(owner)}/${seg(repo)}/statuses/${seg(sha)}`, headers: headers(token), body };
}

export async function fetchPullRequest(api: string, token: string | undefined, owner: string, repo: string, number: string): Promise<Json> {
  const pr = await send(pullRequestRequest(api, token, owner, repo, number), `GitHub GET pull ${owner}/${repo}#${number}`);
  if (typeof pr !== "object" || pr === null) throw new Error(`GitHub returned no pull request ${owner}/${repo}#${number}`);
  return pr as Json;
}
