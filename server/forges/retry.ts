// Outbound HTTP to forges and notification targets: JSON requests that throw
// on non-2xx, retried with exponential back-off, each failure logged.

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
}

export async function withRetries<T>(fn: () => Promise<T>, o: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const last = attempt >= o.attempts || (o.permanent?.(e) ?? false);
      console.error(`${o.what}: attempt ${attempt}/${o.attempts} failed${last ? "" : ", retrying"}: ${(e as Error).message}`);
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
