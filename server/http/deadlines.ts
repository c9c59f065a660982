// Deadlines (grpc-timeout, connect-timeout-ms) honoured after the request
// body is in: a call with one answers DEADLINE_EXCEEDED when it passes, even if
// its handler has not finished (unary) or its stream has nothing to send yet.
// (While the body is read, request-body.ts does the same.) Calls without a
// deadline pass through untouched: the worker's Pull stream carries none.
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { BODY_BUDGET } from "./request-body.js";

export function deadlines(): Interceptor {
  return (next) => async (req) => {
    if (!req.contextValues.get(BODY_BUDGET)?.deadline) return next(req);
    const passed = new Promise<never>((_, reject) => {
      const stop = () => reject(req.signal.reason instanceof ConnectError ? req.signal.reason : new ConnectError("call canceled", Code.Canceled));
      if (req.signal.aborted) stop();
      else req.signal.addEventListener("abort", stop, { once: true });
    });
    passed.catch(() => {});
    const res = await Promise.race([next(req), passed]);
    return res.stream ? { ...res, message: until(res.message, passed) } : res;
  };
}

async function* until<T>(messages: AsyncIterable<T>, passed: Promise<never>): AsyncGenerator<T> {
  const it = messages[Symbol.asyncIterator]();
  try {
    for (;;) {
      const r = await Promise.race([it.next(), passed]);
      if (r.done) return;
      yield r.value;
    }
  } finally {
    // Not awaited: a handler waiting for its next event ends when the call's signal aborts.
    void it.return?.()?.catch(() => {});
  }
}
