// REST routes of inbound forge webhooks: `POST /github/{project}/`, the
// trigger-specific `POST /github/{project}/{trigger}/`, and the same two for
// GitLab. Thin: read the bounded body and headers, hand them to forges/.
import { handleGithubWebhook } from "../forges/github/github-webhook.js";
import { handleGitlabWebhook } from "../forges/gitlab/gitlab-webhook.js";
import type { WebhookReply } from "../forges/start-build.js";
import type { ForgeDeps } from "../forges/webhook-context.js";
import { readBody } from "./read-body.js";
import { sendJson, type Req, type Res, type Route } from "./router.js";

export interface WebhookRouteDeps {
  forge: ForgeDeps;
  maxBytes: number;
}

const header = (req: Req, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export function webhookRoutes(deps: WebhookRouteDeps): Route[] {
  const github = async (req: Req, res: Res, project: string, trigger: string | undefined) => {
    const body = await readBody(req, deps.maxBytes);
    reply(res, await handleGithubWebhook(deps.forge, {
      project, trigger, body,
      event: header(req, "x-github-event") ?? "",
      signature: header(req, "x-hub-signature-256"),
      deliveryId: header(req, "x-github-delivery"),
    }));
  };
  const gitlab = async (req: Req, res: Res, project: string, trigger: string | undefined) => {
    const body = await readBody(req, deps.maxBytes);
    reply(res, await handleGitlabWebhook(deps.forge, {
      project, trigger, body,
      event: header(req, "x-gitlab-event") ?? "",
      token: header(req, "x-gitlab-token"),
      deliveryId: header(req, "x-gitlab-event-uuid") ?? header(req, "idempotency-key"),
    }));
  };
  return [
    { method: "POST", path: /^\/github\/([^/]+)\/$/, handle: (req, res, [p = ""]) => github(req, res, p, undefined) },
    { method: "POST", path: /^\/github\/([^/]+)\/([^/]+)\/$/, handle: (req, res, [p = "", t]) => github(req, res, p, t) },
    { method: "POST", path: /^\/gitlab\/([^/]+)\/$/, handle: (req, res, [p = ""]) => gitlab(req, res, p, undefined) },
    { method: "POST", path: /^\/gitlab\/([^/]+)\/([^/]+)\/$/, handle: (req, res, [p = "", t]) => gitlab(req, res, p, t) },
  ];
}

function reply(res: Res, r: WebhookReply): void {
  sendJson(res, r.status, r.body);
}
