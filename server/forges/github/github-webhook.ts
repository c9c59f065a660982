// Handling one GitHub webhook delivery: authenticate it against the candidate
// triggers' `webhook-key` secrets (nothing is parsed before that), parse the
// event, pick the trigger for the PR's base branch, apply its ok-to-test gate
// (ok-to-test.ts), read its definition from the repository if it says so
// (repo-definition.ts), start the build.
import { UnauthenticatedError } from "../../errors.js";
import { startForgeBuild, type WebhookReply } from "../start-build.js";
import { WEBHOOK_KEY, webhookContext, type ForgeDeps } from "../webhook-context.js";
import { fetchPullRequest } from "./api.js";
import { githubEventJson } from "./delivery-body.js";
import { branchMatches, parseGithubEvent, pullRequestParams } from "./parse-event.js";
import { verifyGithubSignature } from "./signature.js";
import { okToTestRefusal } from "./ok-to-test.js";
import { githubDefinition } from "./repo-definition.js";
import { causeText, isClientError, withRetries } from "../retry.js";

export interface GithubDelivery {
  project: string;
  /** From the trigger-specific URL form `/github/{project}/{trigger}/`. */
  trigger: string | undefined;
  event: string;
  /** application/json or application/x-www-form-urlencoded (`payload=<json>`). */
  contentType: string | undefined;
  signature: string | undefined;
  deliveryId: string | undefined;
  body: Buffer;
}

export async function handleGithubWebhook(deps: ForgeDeps, d: GithubDelivery): Promise<WebhookReply> {
  const { project, candidates } = await webhookContext(deps, d.project, d.trigger, "github_pr");
  const verified = candidates.filter((c) => verifyGithubSignature(d.body, d.signature, c.secrets[WEBHOOK_KEY] ?? ""));
  if (verified.length === 0) {
    if (!d.signature) throw new UnauthenticatedError("X-Hub-Signature-256: header missing");
    if (!candidates.some((c) => c.secrets[WEBHOOK_KEY])) throw new UnauthenticatedError(`no trigger has a "${WEBHOOK_KEY}" secret to verify the signature with`);
    throw new UnauthenticatedError("X-Hub-Signature-256: signature does not match (sha256 HMAC of the body with the trigger's webhook-key)");
  }
  const hook = parseGithubEvent(d.event, githubEventJson(d.body, d.contentType));
  let params: Record<string, string>;
  let reason: string;
  switch (hook.kind) {
    case "ping": return { status: 200, body: { message: "pong" } };
    case "ignore": return { status: 202, body: { ignored: hook.reason } };
    case "pull_request":
      params = pullRequestParams(hook.pr, hook.owner, hook.repo);
      reason = hook.reason;
      break;
    case "retest": {
      const token = verified.map((c) => c.secrets["githubtok"]).find((t) => t);
      const lookup = await retestParams(deps, token, hook.owner, hook.repo, hook.number);
      if ("error" in lookup) return { status: 202, body: { error: lookup.error } };
      params = lookup.params;
      reason = hook.reason;
      break;
    }
    case "push":
      params = hook.params;
      reason = hook.reason;
      break;
  }
  const branch = params["GH_BRANCH"] ?? "";
  const chosen = verified.find((c) => branchMatches(c.spec.params, branch));
  if (!chosen) return { status: 202, body: { ignored: `no github_pr trigger of project "${d.project}" handles branch "${branch}"` } };
  const refusal = hook.kind === "pull_request" ? okToTestRefusal(chosen.spec.params, hook.action, hook.pr) : undefined;
  if (refusal) return { status: 202, body: { ignored: refusal } };
  const definition = await githubDefinition(deps, chosen, params);
  if (definition.kind === "failed") return { status: 202, body: { error: definition.reason } };
  return startForgeBuild(deps.trigger, {
    deliveryKey: d.deliveryId ? `github:${d.deliveryId}` : undefined,
    projectId: project.id, project: project.name, trigger: chosen.spec.name, params, reason,
    ...(definition.kind === "file" ? { definitionYaml: definition.yaml } : {}),
  });
}

/**
 * The params of the PR a ci-retest comment names, read from the GitHub API.
 * Any failure of that read (404, an unreachable API, a body that is not a
 * pull request) is the forge's, not the delivery's: it becomes the reason of
 * a 202 (as a definition file that cannot be used does), never a 500.
 */
async function retestParams(deps: ForgeDeps, token: string | undefined, owner: string, repo: string, number: string): Promise<{ params: Record<string, string> } | { error: string }> {
  const what = `GitHub pull ${owner}/${repo}#${number}`;
  try {
    const pr = await withRetries(() => fetchPullRequest(deps.githubApi, token, owner, repo, number),
      { attempts: 3, baseMs: deps.retryMs, what, permanent: isClientError, log: deps.log });
    return { params: pullRequestParams(pr, owner, repo, "pull request from the GitHub API") };
  } catch (e) {
    return { error: `no build: ci-retest of ${owner}/${repo}#${number}: the pull request could not be read: ${causeText(e)}` };
  }
}
