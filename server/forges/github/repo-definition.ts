// The definition a github_pr build runs from when its trigger has the param
// JOBSERV_DEFINITION_FILE (JobServ's definition_repo/definition_file): the
// file read from the repository at the build's GIT_SHA, whose trigger of the
// same name (of type github_pr) is run. The stored trigger still decides
// everything before that (signature, branch, ok-to-test), and its secrets are
// the ones the build gets.
//
// A file that cannot be used (missing, unreadable, invalid YAML, no such
// trigger, secrets it needs absent) creates no build: the commit gets a
// status `error` (context `jobserv/<trigger>`) whose description is the
// problem, and the webhook answers 202 `{error}` with the whole reason. The
// delivery itself was fine, so no 4xx (GitHub would only show it as failed
// in the hook's settings, where the PR author never looks).
import { requiredSecretsPresent } from "../../builds/required-secrets.js";
import { findTrigger } from "../../projects/find-trigger.js";
import { parseProjectDefinition } from "../../projects/parse.js";
import { HttpStatusError, isClientError, withRetries } from "../retry.js";
import type { Candidate, ForgeDeps } from "../webhook-context.js";
import { commitStatusRequest, send } from "./api.js";
import { DEFINITION_FILE_PARAM, definitionFilePath, definitionFileRequest, fetchDefinitionFile } from "./definition-file.js";

export type RepoDefinition =
  | { kind: "stored" }
  | { kind: "file"; yaml: string }
  | { kind: "failed"; reason: string };

/** GitHub refuses longer status descriptions. */
const MAX_DESCRIPTION = 140;

/** Throws (with a readable message) unless `yaml` can run trigger `name` with the given secrets (pure). */
export function checkRepoDefinition(yaml: string, name: string, secretNames: readonly string[]): void {
  const def = parseProjectDefinition(yaml);
  const trigger = findTrigger(def, name);
  if (trigger.type !== "github_pr") throw new Error(`trigger "${name}" has type ${trigger.type}; expected github_pr`);
  requiredSecretsPresent(def, trigger, secretNames);
}

function statusContext(trigger: string): string {
  return `jobserv/${trigger}`;
}

export async function definitionFromRepository(deps: ForgeDeps, chosen: Candidate, params: Record<string, string>): Promise<RepoDefinition> {
  const value = chosen.spec.params[DEFINITION_FILE_PARAM];
  if (value === undefined || value.trim() === "") return { kind: "stored" };
  const { GH_OWNER: owner = "", GH_REPO: repo = "", GIT_SHA: sha = "" } = params;
  const token = chosen.secrets["githubtok"];
  let file = value;
  try {
    file = definitionFilePath(value);
    const what = `GitHub GET ${owner}/${repo}/${file}@${sha}`;
    const req = definitionFileRequest(deps.githubApi, token, owner, repo, file, sha);
    const yaml = await withRetries(() => fetchDefinitionFile(req, what), { attempts: 3, baseMs: deps.retryMs, what, permanent: isClientError, log: deps.log });
    checkRepoDefinition(yaml, chosen.spec.name, Object.keys(chosen.secrets));
    return { kind: "file", yaml };
  } catch (e) {
    const why = e instanceof HttpStatusError && e.status === 404 ? "not found in the repository at that commit" : (e as Error).message;
    const reason = `${file} at ${sha}: ${why}`;
    await reportError(deps, token, owner, repo, sha, statusContext(chosen.spec.name), `No build: ${file}: ${why}`);
    return { kind: "failed", reason: `no build: ${reason}` };
  }
}

async function reportError(deps: ForgeDeps, token: string | undefined, owner: string, repo: string, sha: string, context: string, text: string): Promise<void> {
  const description = text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION - 1)}…` : text;
  const req = commitStatusRequest(deps.githubApi, token, owner, repo, sha, { state: "error", description, context });
  const what = `commit status error of ${owner}/${repo}@${sha}`;
  try {
    await withRetries(() => send(req, what), { attempts: 3, baseMs: deps.retryMs, what, permanent: isClientError, log: deps.log });
  } catch {
    // Logged by withRetries; the webhook's answer still carries the reason.
  }
}
