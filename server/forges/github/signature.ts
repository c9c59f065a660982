// GitHub's webhook signature (pure): `X-Hub-Signature-256: sha256=<hex>`, the
// HMAC-SHA256 of the raw body keyed with the webhook secret. Any other
// algorithm prefix (e.g. the legacy `sha1=`) is refused.
import { createHmac } from "node:crypto";
import { secretsEqual } from "../constant-time.js";

export function githubSignature(body: Buffer, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export function verifyGithubSignature(body: Buffer, header: string | undefined, secret: string): boolean {
  if (!header || !header.startsWith("sha256=") || secret === "") return false;
  return secretsEqual(header, githubSignature(body, secret));
}
