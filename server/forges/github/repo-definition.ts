// Where a github_pr build's definition comes from when its trigger names a
// JOBSERV_DEFINITION_FILE or JOBSERV_DEFINITION_REPO (the flow is
// ../repo-definition.ts): the file via the contents API, at the PR head or in
// the other repository (`owner/repo`), and a failure reported as a commit
// status `error` with context `jobserv/<trigger>` on the PR head.
import { InvalidArgumentError } from "../../errors.js";
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
    fileRequest: (file, where) => {
      const [o, r] = where.repo ? ownerAndRepo(where.repo) : [owner, repo];
      return definitionFileRequest(deps.githubApi, token, o, r, file, where.repo ? where.ref : sha);
    },
    describe: (file, where) => `GitHub GET ${where.repo ?? `${owner}/${repo}`}/${file}@${where.repo ? where.ref ?? "default branch" : sha}`,
    reportError: (text) => {
      const description = text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION - 1)}…` : text;
      const req = commitStatusRequest(deps.githubApi, token, owner, repo, sha, { state: "error", description, context: `jobserv/${chosen.spec.name}` });
      return sendStatusBestEffort(deps, req, `commit status error of ${owner}/${repo}@${sha}`, send);
    },
  });
}

/** `owner/repo` of JOBSERV_DEFINITION_REPO on GitHub. */
function ownerAndRepo(value: string): [string, string] {
  const parts = value.split("/");
  if (parts.length !== 2) throw new InvalidArgumentError(`JOBSERV_DEFINITION_REPO: "${value}" must be owner/repo on GitHub`);
  return [parts[0]!, parts[1]!];
}
