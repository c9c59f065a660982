// GitLab webhook payload -> what to do (pure). Follows JobServ's gitlab.py:
// a `Merge Request Hook` with action open/reopen/update (update only when it
// brought new commits, i.e. carries `oldrev`) builds the MR's last commit; a
// `Note Hook` on a merge request containing `ci-retest` rebuilds it (the
// caller checks that the note's author may ask for that).
import { InvalidArgumentError } from "../../errors.js";
import { fieldsOf, has, obj, optStr, str, type Json } from "../payload.js";

/** The merge request a build is for. */
export interface MergeRequestRef {
  /** The target project's id (statuses, files and versions are read there). */
  projectId: string;
  iid: string;
  sha: string;
  /** The source branch lives in another project (a fork). */
  fromFork: boolean;
}

export type GitlabHook =
  | { kind: "ignore"; reason: string }
  | { kind: "build"; params: Record<string, string>; mr: MergeRequestRef; reason: string; retestBy?: { id: string; username: string } };

const MR_ACTIONS = new Set(["open", "reopen", "update"]);

export function parseGitlabEvent(event: string, payload: Json, api: string): GitlabHook {
  switch (event) {
    case "Merge Request Hook": return mergeRequest(payload, api);
    case "Note Hook": return note(payload, api);
    case "": throw new InvalidArgumentError("X-Gitlab-Event: header missing");
    default: return { kind: "ignore", reason: `event "${event}" is not handled` };
  }
}

function mergeRequest(p: Json, api: string): GitlabHook {
  const mr = obj(p, "object_attributes");
  const action = str(mr, "action");
  if (!MR_ACTIONS.has(action)) return { kind: "ignore", reason: `merge request action "${action}" does not start builds` };
  if (action === "update" && !has(mr, "oldrev")) return { kind: "ignore", reason: "merge request update without new commits" };
  return { kind: "build", ...mergeRequestBuild(mr, "object_attributes", api), reason: `GitLab MR(${str(mr, "iid")}): ${action}, ${str(mr, "url")}` };
}

function note(p: Json, api: string): GitlabHook {
  const attrs = obj(p, "object_attributes");
  if (str(attrs, "noteable_type") !== "MergeRequest") return { kind: "ignore", reason: "note is not on a merge request" };
  if (!str(attrs, "note").includes("ci-retest")) return { kind: "ignore", reason: "note does not contain ci-retest" };
  const mr = obj(p, "merge_request");
  return {
    kind: "build", ...mergeRequestBuild(mr, "merge_request", api), retestBy: { id: str(p, "user.id"), username: str(p, "user.username") },
    reason: `GitLab MR(${str(mr, "iid")}): ci-retest, ${str(mr, "url")}`,
  };
}

/**
 * A project's clone URL: GitLab documents `git_http_url` (JobServ reads it);
 * `http_url` is its deprecated alias, read only when the first is absent.
 */
function cloneUrl(mr: Json, where: string, side: "source" | "target"): string {
  const url = optStr(mr, `${side}.git_http_url`) ?? optStr(mr, `${side}.http_url`);
  if (url === undefined) throw new InvalidArgumentError(`payload: missing field ${where}.${side}.git_http_url`);
  return url;
}

/** JobServ's gitlab_mr params (but GIT_SHA_BASE, read from the API); `where` prefixes field names in errors. */
function mergeRequestBuild(mr: Json, where: string, api: string): { params: Record<string, string>; mr: MergeRequestRef } {
  const field = fieldsOf(mr, where);
  const sha = field("last_commit.id");
  const projectId = field("target_project_id");
  const iid = field("iid");
  return {
    params: {
      GIT_SHA: sha,
      GIT_URL: cloneUrl(mr, where, "source"),
      GL_TARGET_REPO: cloneUrl(mr, where, "target"),
      GL_MR: iid,
      GL_STATUS_URL: `${api}/projects/${projectId}/statuses/${sha}`,
      GL_MR_API: `${api}/projects/${projectId}/merge_requests/${iid}`,
    },
    mr: { projectId, iid, sha, fromFork: field("source_project_id") !== projectId },
  };
}
