// Where a github_pr build's definition comes from when its trigger names a
// JOBSERV_DEFINITION_FILE (the flow is ../repo-definition.ts): the file via
// the contents API at the PR head, and a failure reported as a commit status
// `error` with context `jobserv/<trigger>`.
import { send } from "../api-request.js";
import { definitionFromRepository, sendStatusBestEffort, type RepoDefinition } from "../repo-definition.js";
import type { Candidate, ForgeDeps } from "../webhook-context.js";
import { commitStatusRequest } from "./api.js";
import { definitionFileRequest } from "./definition-file.js";

/** GitHub refuses longer status descriptions. */
const MAX_DESCRIPTION = 140;

export function githubDefinition(deps: ForgeDeps, chosen: Candidate, params: Record<string, string>): Promise<RepoDefinition> {
  const { GH_OWNER: owner = "", GH_REPO: repo = "", GIT_SHA: sha = "" } = params;
  const token = chosen.secrets["githubtok"];
  return definitionFromRepository(deps, chosen, {
    type: "github_pr",
    sha,
    fileRequest: (file) => definitionFileRequest(deps.githubApi, token, owner, repo, file, sha),
    describe: (file) => `GitHub GET ${owner}/${repo}/${file}@${sha}`,
    reportError: (text) => {
      const description = text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION - 1)}…` : text;
      const req = commitStatusRequest(deps.githubApi, token, owner, repo, sha, { state: "error", description, context: `jobserv/${chosen.spec.name}` });
      return sendStatusBestEffort(deps, req, `commit status error of ${owner}/${repo}@${sha}`, send);
    },
  });
}
