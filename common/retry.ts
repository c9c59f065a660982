// Retrying a failed call: the one helper the server, the worker and the CLI
// use. Calls are repeated with exponential back-off (jittered by default,
// capped), until one succeeds, `classify` says a failure is final, the
// attempts run out, the next wait would pass `maxElapsedMs`, or `signal`
// aborts; then the last failure is thrown as it was.
import { Code, ConnectError } from "@connectrpc/connect";
import { sleep } from "./sleep.js";

export type RetryVerdict = "retry" | "fail";

export interface RetryOptions {
  /** Calls at most, the first included (default: no limit). */
  attempts?: number;
  /** The wait before the second call; doubled before each next one (default 100 ms). 0: no wait. */
  baseMs?: number;
  /** No wait is longer (default 10 s). */
  capMs?: number;
  /** Each wait drawn uniformly from [d/2, d] so many callers do not retry in step (default true); false: exactly d. */
  jitter?: boolean;
  /** Give up rather than wait past this long since the first call (default: no limit). */
  maxElapsedMs?: number;
  /** Whether a failure is worth another call (default: every one is). `attempt` counts from 1. */
  classify?: (e: unknown, attempt: number) => RetryVerdict;
  /** Told of each failure that will be retried, before the wait (for logs). */
  onRetry?: (e: unknown, attempt: number, delayMs: number) => void;
  /** Ends the waiting: the last failure is thrown. */
  signal?: AbortSignal;
}

/** The wait after failed call number `attempt` (from 1). */
export function retryDelayMs(attempt: number, o: Pick<RetryOptions, "baseMs" | "capMs" | "jitter"> = {}): number {
  const ceiling = Math.min(o.capMs ?? 10_000, (o.baseMs ?? 100) * 2 ** Math.min(attempt - 1, 30));
  return o.jitter === false ? ceiling : ceiling / 2 + Math.random() * (ceiling / 2);
}

/** Calls `fn` (with the attempt number, from 1) until it resolves or retrying ends; see the module comment. */
export async function retry<T>(fn: (attempt: number) => Promise<T>, o: RetryOptions = {}): Promise<T> {
  const start = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (attempt >= (o.attempts ?? Infinity) || o.signal?.aborted) throw e;
      if ((o.classify?.(e, attempt) ?? "retry") === "fail") throw e;
      const delay = retryDelayMs(attempt, o);
      if (o.maxElapsedMs !== undefined && Date.now() - start + delay > o.maxElapsedMs) throw e;
      o.onRetry?.(e, attempt, delay);
      if (delay > 0) await sleep(delay, o.signal);
      if (o.signal?.aborted) throw e;
    }
  }
}

const RETRYABLE_CODES = new Set([Code.Unavailable, Code.DeadlineExceeded, Code.Aborted, Code.Internal, Code.Unknown, Code.ResourceExhausted, Code.Canceled]);

/** For RPCs: a failure with no RPC code (a broken connection) or a transient one is retried; the rest are answers. */
export function retryConnectErrors(e: unknown): RetryVerdict {
  return !(e instanceof ConnectError) || RETRYABLE_CODES.has(e.code) ? "retry" : "fail";
}
