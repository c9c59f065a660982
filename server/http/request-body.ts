// The body of one RPC request as Connect reads it, with its limits applied
// before and while it is read: a declared Content-Length over the method's
// limit is refused before a byte is read, a body without one once it passes
// the limit; a caller without credentials may send only a little (the request
// gate decides who that is, before the first read); and a read waiting on the
// client ends when the call's deadline passes, the client goes away, or no byte
// has come for `idleMs` (a half-open stream). Every refusal is a ConnectError,
// so Connect answers it in the caller's protocol. Cost per request: one timer
// while the body is read, none after (the worker's long Pull stream has a
// complete request body and keeps no timer).
import type http from "node:http";
import type http2 from "node:http2";
import { Code, ConnectError, createContextKey } from "@connectrpc/connect";

/** What one request may send, filled in by the adapter (limit) and the request gate (caller, signal). */
export interface BodyBudget {
  /** Bytes the method accepts from an authenticated caller. */
  maxBytes: number;
  /** The caller presented no credentials: `anonymousMaxBytes` applies. */
  anonymous: boolean;
  /** The handler context's signal: aborted at the call's deadline or when the client goes. */
  signal?: AbortSignal;
  /** The call carries a deadline (grpc-timeout, connect-timeout-ms). */
  deadline: boolean;
  /** Set when the body was refused: the adapter stops the rest (drained, or cut if it stalled). */
  refused?: "size" | "stalled";
}

export interface BodyLimits {
  /** Bytes a caller without credentials may send (any read call fits). */
  anonymousMaxBytes: number;
  /** A body that has started but sends nothing for this long is given up. */
  idleMs: number;
}

/** Where the adapter hands the budget to the request gate and the interceptors. */
export const BODY_BUDGET = createContextKey<BodyBudget | undefined>(undefined, { description: "jobserv request body budget" });

type NodeRequest = http.IncomingMessage | http2.Http2ServerRequest;

/** The limit that applies, and the error for passing it: UNAUTHENTICATED for a caller without credentials past the anonymous allowance. */
function limitOf(budget: BodyBudget, limits: BodyLimits): { max: number; tooLarge: (what: string) => ConnectError } {
  const anonymousOver = budget.anonymous && budget.maxBytes > limits.anonymousMaxBytes;
  const max = anonymousOver ? limits.anonymousMaxBytes : budget.maxBytes;
  return {
    max,
    tooLarge(what) {
      budget.refused = "size";
      return anonymousOver
        ? new ConnectError(`a request without credentials may send at most ${max} bytes (this one ${what}); present a token`, Code.Unauthenticated)
        : new ConnectError(`request body larger than this method's limit of ${max} bytes (${what})`, Code.ResourceExhausted);
    },
  };
}

/** Called by the request gate, once the caller is known and before any read: a declared length over the limit is refused. */
export function checkDeclaredLength(budget: BodyBudget, limits: BodyLimits, contentLength: string | null): void {
  const { max, tooLarge } = limitOf(budget, limits);
  if (contentLength !== null && Number(contentLength) > max) throw tooLarge(`declares ${contentLength}`);
}

export async function* guardedBody(req: NodeRequest, budget: BodyBudget, limits: BodyLimits): AsyncGenerator<Uint8Array> {
  const { max, tooLarge } = limitOf(budget, limits);
  let fail: (e: unknown) => void = () => {};
  const stopped = new Promise<never>((_, reject) => { fail = reject; });
  stopped.catch(() => {});
  const stall = (e: unknown) => { budget.refused ??= "stalled"; fail(e); };
  const signal = budget.signal;
  const onAbort = () => stall(signal?.reason instanceof ConnectError ? signal.reason : new ConnectError("request aborted", Code.Canceled));
  signal?.addEventListener("abort", onAbort, { once: true });
  if (signal?.aborted) onAbort();
  // One timer, moved on only when it fires: no timer work per chunk.
  let last = Date.now();
  const idle = () => {
    const quiet = Date.now() - last;
    if (quiet >= limits.idleMs) stall(new ConnectError(`request body stalled: no bytes for ${limits.idleMs} ms`, Code.DeadlineExceeded));
    else timer = setTimeout(idle, limits.idleMs - quiet);
  };
  let timer = setTimeout(idle, limits.idleMs);
  // Not destroyed when Connect stops reading: the adapter decides what happens to the rest.
  const it = req.iterator({ destroyOnReturn: false });
  let size = 0;
  try {
    for (;;) {
      const r = await Promise.race([it.next(), stopped]) as IteratorResult<Buffer>;
      if (r.done) return;
      last = Date.now();
      size += r.value.length;
      if (size > max) throw tooLarge(`sent more than ${max}`);
      yield r.value;
    }
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    // Connect stopped early (a refusal, a bad frame): the rest is read and dropped, never kept. HTTP/2 does not
    // finish the answer on a stream whose unread data stays queued; the adapter ends the stream once it is out.
    if (!req.complete) req.resume();
  }
}
