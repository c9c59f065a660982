// Where a gitlab_mr build's definition comes from when its trigger names a
// JOBSERV_DEFINITION_FILE or JOBSERV_DEFINITION_REPO (the flow is
// ../repo-definition.ts): the file via the repository files API, of the
// target project at the MR's head (GitLab keeps MR heads, forks' too, in the
// target project) or of the other project (id or `group/project` path) at
// JOBSERV_DEFINITION_REF or HEAD; a failure is reported as a commit status
// `failed` named `jobserv/<trigger>` on the MR head.
import { send } from "../api-request.js";
import { definitionFromRepository, sendStatusBestEffort, type RepoDefinition } from "../repo-definition.js";
import type { Candidate, ForgeDeps } from "../webhook-context.js";
import { commitStatusRequest, fileRawRequest, statusUrl } from "./api.js";
import type { MergeRequestRef } from "./parse-event.js";

/** GitLab keeps at most 255 characters of a status description. */
const MAX_DESCRIPTION = 255;

export function gitlabDefinition(deps: ForgeDeps, chosen: Candidate, mr: MergeRequestRef): Promise<RepoDefinition> {
  const token = chosen.secrets["gitlabtok"];
  return definitionFromRepository(deps, chosen, {
    type: "gitlab_mr",
    sha: mr.sha,
    fileRequest: (file, where) => fileRawRequest(deps.gitlabApi, token, where.repo ?? mr.projectId, file, where.repo ? where.ref ?? "HEAD" : mr.sha),
    describe: (file, where) => `GitLab GET project ${where.repo ?? mr.projectId} ${file}@${where.repo ? where.ref ?? "HEAD" : mr.sha}`,
    reportError: (text) => {
      const description = text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION - 1)}…` : text;
      const req = commitStatusRequest(statusUrl(deps.gitlabApi, mr.projectId, mr.sha), token, { state: "failed", name: `jobserv/${chosen.spec.name}`, description });
      return sendStatusBestEffort(deps, req, `GitLab commit status failed of ${mr.projectId}@${mr.sha}`, send);
    },
  });
}
