// Answering a forge webhook delivery, logged once: request id, forge, event,
// delivery id, project and trigger, HTTP status, outcome, time and the reason
// (why it was ignored or refused, e.g. a signature that does not match, which
// is then visible in our logs and not only in the forge's delivery list).
// The outcome also feeds jobserv_webhook_deliveries_total.
import type { WebhookReply } from "../forges/start-build.js";
import type { Logger } from "../logger.js";
import { requestId, sendError, sendJson, statusOf, type Req, type Res } from "./router.js";

export type Forge = "github" | "gitlab";

/** What became of a delivery, as a bounded label value. */
export type WebhookOutcome = "build" | "pong" | "duplicate" | "ignored" | "refused"
  | "unauthenticated" | "not_found" | "bad_request" | "too_large" | "error";

export interface Delivery {
  forge: Forge;
  /** The forge's event header (`X-GitHub-Event`, `X-Gitlab-Event`). */
  event: string;
  delivery: string | undefined;
  project: string;
  trigger: string | undefined;
}

export type DeliveryObserver = (forge: Forge, event: string, outcome: WebhookOutcome) => void;

function replyOutcome(r: WebhookReply): WebhookOutcome {
  if (r.status === 201) return "build";
  if (r.body["message"] === "pong") return "pong";
  if (r.body["ignored"] !== undefined) return "ignored";
  if (r.body["error"] !== undefined) return "refused";
  return "duplicate";
}

function errorOutcome(status: number): WebhookOutcome {
  const byStatus: Record<number, WebhookOutcome> = { 400: "bad_request", 401: "unauthenticated", 404: "not_found", 413: "too_large" };
  return byStatus[status] ?? (status >= 500 ? "error" : "bad_request");
}

/** Runs `handle`, sends its reply (or the error's status), logs the delivery and reports its outcome. */
export async function answerDelivery(req: Req, res: Res, d: Delivery, log: Logger, observe: DeliveryObserver,
  handle: () => Promise<WebhookReply>): Promise<void> {
  const started = performance.now();
  const fields = { reqId: requestId(req, res), forge: d.forge, event: d.event, delivery: d.delivery, project: d.project, trigger: d.trigger };
  const ms = () => Math.round(performance.now() - started);
  let outcome: WebhookOutcome;
  try {
    const reply = await handle();
    outcome = replyOutcome(reply);
    sendJson(res, reply.status, reply.body);
    const reason = reply.body["ignored"] ?? reply.body["error"] ?? reply.body["message"];
    log.info({ ...fields, status: reply.status, outcome, ms: ms(), ...(reason !== undefined ? { reason } : {}), ...(outcome === "build" ? { build: reply.body["build"] } : {}) }, "webhook");
  } catch (e) {
    const status = statusOf(e);
    outcome = errorOutcome(status);
    if (status >= 500) log.error({ ...fields, status, outcome, ms: ms(), err: e }, "webhook");
    // A refused delivery is the sender's problem (e.g. a wrong webhook secret): info, which the default level shows.
    else log.info({ ...fields, status, outcome, ms: ms(), reason: (e as Error).message }, "webhook");
    sendError(res, e);
  }
  observe(d.forge, d.event, outcome);
}
