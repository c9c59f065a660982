// The GitLab REST calls jobserv makes (API v4, `api` is the configured base,
// e.g. https://gitlab.com/api/v4), authenticated by the trigger's `gitlabtok`
// secret in PRIVATE-TOKEN. Pure request builders; ../api-request.ts sends.
import type { ApiRequest } from "../api-request.js";

function headers(token: string | undefined): Record<string, string> {
  return token ? { "private-token": token } : {};
}

const seg = encodeURIComponent;

/** `GET /projects/:id/merge_requests/:iid/versions`: the MR's diff versions, newest first (base_commit_sha, head_commit_sha). */
export function mergeRequestVersionsRequest(api: string, token: string | undefined, projectId: string, iid: string): ApiRequest {
  return { method: "GET", url: `${api}/projects/${seg(projectId)}/merge_requests/${seg(iid)}/versions`, headers: headers(token) };
}

/** `GET /projects/:id/members/all/:user_id`: a member (direct or inherited) with their access_level; 404 if not one. */
export function projectMemberRequest(api: string, token: string | undefined, projectId: string, userId: string): ApiRequest {
  return { method: "GET", url: `${api}/projects/${seg(projectId)}/members/all/${seg(userId)}`, headers: headers(token) };
}

/** `GET /projects/:id/repository/files/:file_path/raw?ref=sha`: a file's bytes at one commit (the path is one encoded segment). */
export function fileRawRequest(api: string, token: string | undefined, projectId: string, path: string, sha: string): ApiRequest {
  return { method: "GET", url: `${api}/projects/${seg(projectId)}/repository/files/${seg(path)}/raw?ref=${seg(sha)}`, headers: headers(token) };
}

export type GitlabState = "pending" | "running" | "success" | "failed" | "canceled";

export interface GitlabStatusBody {
  state: GitlabState;
  name: string;
  description: string;
  target_url?: string;
}

/** `POST {statusUrl}` where statusUrl is `{api}/projects/:id/statuses/:sha` (the build's GL_STATUS_URL). */
export function commitStatusRequest(statusUrl: string, token: string | undefined, body: GitlabStatusBody): ApiRequest {
  return { method: "POST", url: statusUrl, headers: headers(token), body };
}

export function statusUrl(api: string, projectId: string, sha: string): string {
  return `${api}/projects/${seg(projectId)}/statuses/${seg(sha)}`;
}
