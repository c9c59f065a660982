// REST routes of inbound forge webhooks: `POST /github/{project}/`, the
// trigger-specific `POST /github/{project}/{trigger}/`, and the same two for
// GitLab. Thin: read the bounded body and headers, hand them to forges/; each
// delivery is logged and counted once (webhook-log.ts).
import { handleGithubWebhook } from "../forges/github/github-webhook.js";
import { handleGitlabWebhook } from "../forges/gitlab/gitlab-webhook.js";
import type { ForgeDeps } from "../forges/webhook-context.js";
import type { Logger } from "../logger.js";
import { readBody } from "./read-body.js";
import type { Req, Res, Route } from "./router.js";
import { answerDelivery, type DeliveryObserver } from "./webhook-log.js";

export interface WebhookRouteDeps {
  forge: ForgeDeps;
  maxBytes: number;
  log: Logger;
  /** Called once per delivery with its outcome (metrics). */
  onDelivery?: DeliveryObserver;
}

const header = (req: Req, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export function webhookRoutes(deps: WebhookRouteDeps): Route[] {
  const observe: DeliveryObserver = deps.onDelivery ?? (() => {});
  const github = (req: Req, res: Res, project: string, trigger: string | undefined) => {
    const event = header(req, "x-github-event") ?? "";
    const deliveryId = header(req, "x-github-delivery");
    return answerDelivery(req, res, { forge: "github", event, delivery: deliveryId, project, trigger }, deps.log, observe, async () =>
      handleGithubWebhook(deps.forge, {
        project, trigger, event, deliveryId, body: await readBody(req, deps.maxBytes),
        contentType: header(req, "content-type"),
        signature: header(req, "x-hub-signature-256"),
      }));
  };
  const gitlab = (req: Req, res: Res, project: string, trigger: string | undefined) => {
    const event = header(req, "x-gitlab-event") ?? "";
    const deliveryId = header(req, "x-gitlab-event-uuid") ?? header(req, "idempotency-key");
    return answerDelivery(req, res, { forge: "gitlab", event, delivery: deliveryId, project, trigger }, deps.log, observe, async () =>
      handleGitlabWebhook(deps.forge, {
        project, trigger, event, deliveryId, body: await readBody(req, deps.maxBytes),
        token: header(req, "x-gitlab-token"),
      }));
  };
  return [
    { method: "POST", path: /^\/github\/([^/]+)\/$/, handle: (req, res, [p = ""]) => github(req, res, p, undefined) },
    { method: "POST", path: /^\/github\/([^/]+)\/([^/]+)\/$/, handle: (req, res, [p = "", t]) => github(req, res, p, t) },
    { method: "POST", path: /^\/gitlab\/([^/]+)\/$/, handle: (req, res, [p = ""]) => gitlab(req, res, p, undefined) },
    { method: "POST", path: /^\/gitlab\/([^/]+)\/([^/]+)\/$/, handle: (req, res, [p = "", t]) => gitlab(req, res, p, t) },
  ];
}
