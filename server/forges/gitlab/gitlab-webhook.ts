// Handling one GitLab webhook delivery: `X-Gitlab-Token` must equal a
// candidate trigger's `webhook-key` secret (constant-time), then the event is
// parsed, its gates applied (retest-gate.ts), the definition read from the
// repository if the trigger says so (repo-definition.ts), GIT_SHA_BASE read
// (base-sha.ts), and the build started.
import { UnauthenticatedError } from "../../errors.js";
import { secretsEqual } from "../constant-time.js";
import { parseJsonObject } from "../payload.js";
import { startForgeBuild, type WebhookReply } from "../start-build.js";
import { WEBHOOK_KEY, webhookContext, type ForgeDeps } from "../webhook-context.js";
import { mergeRequestBaseSha } from "./base-sha.js";
import { parseGitlabEvent } from "./parse-event.js";
import { gitlabDefinition } from "./repo-definition.js";
import { forkRefusal, retestRefusal } from "./retest-gate.js";

export interface GitlabDelivery {
  project: string;
  trigger: string | undefined;
  event: string;
  token: string | undefined;
  deliveryId: string | undefined;
  body: Buffer;
}

export async function handleGitlabWebhook(deps: ForgeDeps, d: GitlabDelivery): Promise<WebhookReply> {
  const { project, candidates } = await webhookContext(deps, d.project, d.trigger, "gitlab_mr");
  // Every candidate is compared, so timing does not tell which one matched.
  const matches = candidates.map((c) => {
    const key = c.secrets[WEBHOOK_KEY] ?? "";
    return secretsEqual(d.token ?? "", key) && key !== "" && d.token !== undefined;
  });
  const chosen = candidates.find((_, i) => matches[i]);
  if (!chosen) throw new UnauthenticatedError(d.token === undefined ? "X-Gitlab-Token: header missing" : "X-Gitlab-Token: does not match the trigger's webhook-key");
  const hook = parseGitlabEvent(d.event, parseJsonObject(d.body), deps.gitlabApi);
  if (hook.kind === "ignore") return { status: 202, body: { ignored: hook.reason } };
  const token = chosen.secrets["gitlabtok"];
  const refusal = hook.retestBy ? await retestRefusal(deps, token, hook.mr, hook.retestBy) : forkRefusal(chosen.spec.params, hook.mr);
  if (refusal) return { status: 202, body: { ignored: refusal } };
  const definition = await gitlabDefinition(deps, chosen, hook.mr);
  if (definition.kind === "failed") return { status: 202, body: { error: definition.reason } };
  const base = await mergeRequestBaseSha(deps, token, hook.mr);
  return startForgeBuild(deps.trigger, {
    deliveryKey: d.deliveryId ? `gitlab:${d.deliveryId}` : undefined,
    projectId: project.id, project: project.name, trigger: chosen.spec.name,
    params: base ? { ...hook.params, GIT_SHA_BASE: base } : hook.params, reason: hook.reason,
    ...(definition.kind === "file" ? { definitionYaml: definition.yaml } : {}),
  });
}
