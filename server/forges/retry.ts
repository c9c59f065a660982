// Outbound HTTP to forges and notification targets: JSON requests that throw
// on non-2xx, retried with exponential back-off, each failure logged with the
// URL (credentials masked) and the real cause (a refused connection, a DNS or
// TLS failure, a timeout), not fetch's bare "fetch failed".
import { withoutCredentials } from "../../common/env-values.js";
import { retry } from "../../common/retry.js";
import type { Logger } from "../logger.js";

/** `url` fit for logs: no user:password, and values of query parameters that look like credentials masked. */
export function redactUrl(url: string): string {
  const safe = withoutCredentials(url);
  return safe.replace(/([?&][^=&#]*(?:token|key|secret|password|sig)[^=&#]*=)[^&#]*/gi, "$1***");
}

/** The messages of an error and its causes, outermost first, without fetch's uninformative "fetch failed". */
export function causeText(e: unknown): string {
  const parts: string[] = [];
  for (let cur: unknown = e, depth = 0; cur !== undefined && cur !== null && depth < 5; cur = (cur as { cause?: unknown }).cause, depth++) {
    const message = cur instanceof Error ? cur.message : String(cur);
    const code = (cur as { code?: unknown }).code;
    const text = typeof code === "string" && !message.includes(code) ? `${message} (${code})` : message;
    if (text && text !== "fetch failed" && !parts.some((p) => p.includes(text))) parts.push(text);
  }
  return parts.join(": ") || "request failed";
}

/**
 * A request that got no HTTP answer at all. The message carries the causes'
 * text; they are not chained as `cause`, or log serializers would print
 * fetch's "fetch failed" wrapper and the same text twice.
 */
export class RequestFailedError extends Error {
  constructor(readonly url: string, cause: unknown, what: string) {
    super(`${what}: ${url}: ${causeText(cause)}`);
  }
}

export class HttpStatusError extends Error {
  constructor(readonly status: number, readonly body: string, what: string) {
    super(`${what}: HTTP ${status} ${body.slice(0, 300)}`);
  }
}

export interface RetryOptions {
  attempts: number;
  /** Wait before the second attempt; doubles each time. */
  baseMs: number;
  what: string;
  /** A failure that retrying cannot fix (e.g. 4xx): stop at once. */
  permanent?: (e: unknown) => boolean;
  log: Logger;
}

/** `fn` called up to `o.attempts` times, `o.baseMs` apart and doubling (no jitter); every failure logged, the last thrown. */
export async function withRetries<T>(fn: () => Promise<T>, o: RetryOptions): Promise<T> {
  const log = (e: unknown, attempt: number, retrying: boolean) =>
    o.log.warn({ attempt, attempts: o.attempts, retrying, err: causeText(e) }, `${o.what} failed`);
  let calls = 0;
  try {
    return await retry((attempt) => { calls = attempt; return fn(); }, {
      attempts: o.attempts, baseMs: o.baseMs, capMs: Infinity, jitter: false,
      classify: (e) => (o.permanent?.(e) ? "fail" : "retry"), onRetry: (e, attempt) => log(e, attempt, true),
    });
  } catch (e) {
    log(e, calls, false);
    throw e;
  }
}

/** 4xx other than 408/429 will not get better by retrying. */
export function isClientError(e: unknown): boolean {
  return e instanceof HttpStatusError && e.status >= 400 && e.status < 500 && e.status !== 408 && e.status !== 429;
}

export async function requestJson(method: "GET" | "POST", url: string, headers: Record<string, string>, body: unknown, what: string): Promise<unknown> {
  const init: RequestInit = { method, headers: { "user-agent": "jobserv", ...headers }, signal: AbortSignal.timeout(15_000) };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] = "application/json";
  }
  const where = `${what} (${method} ${redactUrl(url)})`;
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, init);
    text = await res.text();
  } catch (e) {
    throw new RequestFailedError(redactUrl(url), e, what);
  }
  if (!res.ok) throw new HttpStatusError(res.status, text, where);
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`${where}: HTTP ${res.status} with a body that is not JSON: ${JSON.stringify(text.slice(0, 80))}`);
  }
}
