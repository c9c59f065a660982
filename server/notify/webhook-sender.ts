// Signed build-complete webhooks, as JobServ sends them: POST of the build
// JSON with `X-JobServ-Sig: sha256:<hex HMAC-SHA256 of the body>`, keyed with
// the trigger secret named by `secret_name`; retried with back-off.
import { createHmac } from "node:crypto";
import { requestJson, withRetries } from "../forges/retry.js";
import type { Logger } from "../logger.js";

export function jobservSignature(body: string, secret: string): string {
  return `sha256:${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export async function sendSignedWebhook(url: string, secret: string, payload: unknown, retryMs: number, log: Logger, attempts = 4): Promise<void> {
  const body = JSON.stringify(payload);
  await withRetries(() => requestJson("POST", url, { "x-jobserv-sig": jobservSignature(body, secret) }, body, `webhook ${url}`),
    { attempts, baseMs: retryMs, what: `build webhook to ${url}`, log });
}
