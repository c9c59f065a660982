// Which commit-status request (if any) a run's status change means (pure):
// github_pr builds report to GitHub, gitlab_mr builds to GitLab, with the
// run's name as context and its console.log as target. Others report nothing.
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { ApiRequest } from "./api-request.js";
import { commitStatusRequest, type GithubState } from "./github/api.js";
import { commitStatusRequest as gitlabStatusRequest, type GitlabState } from "./gitlab/api.js";

export interface RunStatusInfo {
  triggerType: string;
  /** The build's trigger-source params (builds.params_json). */
  params: Record<string, string>;
  secrets: Record<string, string>;
  project: string;
  buildNumber: number;
  runName: string;
  status: Status;
  publicUrl: string;
  githubApi: string;
}

function githubState(s: Status): GithubState {
  if (s === Status.PASSED) return "success";
  if (s === Status.FAILED) return "failure";
  return "pending";
}

function gitlabState(s: Status): GitlabState {
  if (s === Status.PASSED) return "success";
  if (s === Status.FAILED) return "failed";
  if (s === Status.QUEUED) return "pending";
  return "running";
}

function description(i: RunStatusInfo): string {
  const words: Partial<Record<Status, string>> = {
    [Status.QUEUED]: "queued", [Status.RUNNING]: "running", [Status.UPLOADING]: "uploading artifacts",
    [Status.CANCELLING]: "cancelling", [Status.PASSED]: "passed", [Status.FAILED]: "failed",
  };
  return `Build ${i.buildNumber}: ${words[i.status] ?? Status[i.status]}`;
}

export function consoleLogUrl(publicUrl: string, project: string, build: number, run: string): string {
  return `${publicUrl}/projects/${encodeURIComponent(project)}/builds/${build}/runs/${encodeURIComponent(run)}/console.log`;
}

/** The run's page (and, to API clients, its JSON): where a forge's "Details" link leads. */
export function runPageUrl(publicUrl: string, project: string, build: number, run: string): string {
  return `${publicUrl}/projects/${encodeURIComponent(project)}/builds/${build}/runs/${encodeURIComponent(run)}/`;
}

export function runStatusRequest(i: RunStatusInfo): ApiRequest | undefined {
  const target = runPageUrl(i.publicUrl, i.project, i.buildNumber, i.runName);
  const { GH_OWNER: owner, GH_REPO: repo, GIT_SHA: sha, GL_STATUS_URL: glUrl } = i.params;
  if (i.triggerType === "github_pr" && owner && repo && sha) {
    return commitStatusRequest(i.githubApi, i.secrets["githubtok"], owner, repo, sha,
      { state: githubState(i.status), target_url: target, description: description(i), context: i.runName });
  }
  if (i.triggerType === "gitlab_mr" && glUrl) {
    return gitlabStatusRequest(glUrl, i.secrets["gitlabtok"], { state: gitlabState(i.status), name: i.runName, target_url: target, description: description(i) });
  }
  return undefined;
}
