// Outbound HTTP to forges and notification targets: JSON requests that throw
// on non-2xx, retried with exponential back-off, each failure logged.
import type { Logger } from "../logger.js";

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

export async function withRetries<T>(fn: () => Promise<T>, o: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const last = attempt >= o.attempts || (o.permanent?.(e) ?? false);
      o.log.warn({ attempt, attempts: o.attempts, retrying: !last, err: (e as Error).message }, `${o.what} failed`);
      if (last) throw e;
      await new Promise((r) => setTimeout(r, o.baseMs * 2 ** (attempt - 1)));
    }
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
  const res = await fetch(url, init);
  const text = await res.text();
  if (!res.ok) throw new HttpStatusError(res.status, text, what);
  return text === "" ? undefined : JSON.parse(text) as unknown;
}
