// The Node.js handler for the RPC routes (in place of connect-node's
// connectNodeAdapter, which it follows): each request gets its method's body
// limit and the guarded body (request-body.ts), the caller is authenticated by
// the injected request gate before a byte of the body is read, and what is
// left of a refused body is dealt with once the answer is out (read and
// dropped; HTTP/2: the stream is closed, NO_ERROR, shortly after; HTTP/1.1:
// drained so the client, still sending, reads the answer, or cut when it
// stalled). Decode failures of binary input
// (Connect, gRPC, gRPC-web) answer invalid_argument like JSON ones do.
// Methods given a lean handler (lean-stream.ts, lean-unary.ts) are answered
// by it when it takes the call, by Connect's router otherwise.
import http2 from "node:http2";
import type http from "node:http";
import {
  Code, ConnectError, createConnectRouter, createContextValues, type ConnectRouter, type ConnectRouterOptions, type HandlerContext, type Interceptor,
} from "@connectrpc/connect";
import { compressionBrotli, compressionGzip, universalRequestFromNodeRequest, universalResponseToNodeResponse } from "@connectrpc/connect-node";
import type { UniversalHandler } from "@connectrpc/connect/protocol";
import type { Logger } from "../logger.js";
import { BODY_BUDGET, checkDeclaredLength, guardedBody, type BodyBudget, type BodyLimits } from "./request-body.js";
import type { LeanHandler } from "./lean-call.js";

type NodeRequest = http.IncomingMessage | http2.Http2ServerRequest;
type NodeResponse = http.ServerResponse | http2.Http2ServerResponse;

export interface RpcLimits extends BodyLimits {
  /** Bytes a method accepts unless `methodMaxBytes` names it. */
  maxBytes: number;
  /** By request path, e.g. `/jobserv.v1.WorkerService/AppendLog`. */
  methodMaxBytes: Record<string, number>;
}

export interface RpcAdapterOptions extends ConnectRouterOptions {
  routes: (router: ConnectRouter) => void;
  fallback: (req: NodeRequest, res: NodeResponse) => void;
  limits: RpcLimits;
  /**
   * Runs before the body is read: throws a ConnectError (unauthenticated...)
   * for credentials that do not hold, resolves true for a caller without any.
   */
  authenticate: (ctx: HandlerContext) => Promise<boolean>;
  log: Logger;
  /** By request path: calls answered without Connect's pipeline when their handler takes the call (lean-stream.ts, lean-unary.ts). */
  lean?: Record<string, LeanHandler>;
}

export function rpcAdapter(options: RpcAdapterOptions): (req: NodeRequest, res: NodeResponse) => void {
  const { limits, log } = options;
  const router = createConnectRouter({
    acceptCompression: [compressionGzip, compressionBrotli],
    ...options,
    // Innermost: a streaming call's input is decoded inside the chain, so the interceptors around see the corrected code.
    interceptors: [...options.interceptors ?? [], decodeFailures()],
    async requestGate(ctx) {
      const budget = ctx.values.get(BODY_BUDGET);
      ctx.signal.addEventListener("abort", () => {
        decodeFailureIsInvalidArgument(ctx.signal.reason);
        if (budget?.anonymous) oversizeIsUnauthenticated(ctx.signal.reason, limits.anonymousMaxBytes);
      }, { once: true });
      if (budget) {
        budget.signal = ctx.signal;
        budget.deadline = ctx.timeoutMs() !== undefined;
      }
      const anonymous = await options.authenticate(ctx);
      if (budget) {
        budget.anonymous = anonymous;
        checkDeclaredLength(budget, limits, ctx.requestHeader.get("content-length"));
      }
    },
  });
  options.routes(router);
  const paths = new Map<string, { handler: UniversalHandler; maxBytes: number; lean?: LeanHandler }>();
  for (const handler of router.handlers) {
    const path = handler.requestPath;
    paths.set(path, { handler, maxBytes: limits.methodMaxBytes[path] ?? limits.maxBytes, lean: options.lean?.[path] });
  }
  return (req, res) => {
    const url = req.url ?? "";
    const q = url.indexOf("?");
    const route = paths.get(q < 0 ? url : url.slice(0, q));
    if (!route) {
      options.fallback(req, res);
      return;
    }
    const budget: BodyBudget = { maxBytes: route.maxBytes, anonymous: true, deadline: false };
    // HTTP/2's compatibility response emits "finish" only once the whole stream has closed: watch the stream's own end.
    if ("stream" in req) req.stream.once("finish", () => leftover(req, budget));
    else res.once("finish", () => leftover(req, budget));
    if (route.lean?.(req, res, budget)) return;
    const uReq = { ...universalRequestFromNodeRequest(req, res, undefined, createContextValues().set(BODY_BUDGET, budget)), body: guardedBody(req, budget, limits) };
    route.handler(uReq)
      .then((uRes) => universalResponseToNodeResponse(uRes, res))
      .catch((reason: unknown) => {
        if (ConnectError.from(reason).code !== Code.Aborted) log.warn({ err: reason, rpc: route.handler.requestPath }, "rpc response not written");
      });
  };
}

/** How long an answered HTTP/2 stream whose request never ended stays open: closed at once, its trailers could be lost. */
const H2_CLOSE_GRACE_MS = 500;

/** The answer is out; what is left of a request body the handler did not read to its end (request-body.ts drops it). */
function leftover(req: NodeRequest, budget: BodyBudget): void {
  if (req.complete) return;
  if ("stream" in req) {
    const stream = req.stream;
    const timer = setTimeout(() => { if (!stream.closed) stream.close(http2.constants.NGHTTP2_NO_ERROR); }, H2_CLOSE_GRACE_MS);
    stream.once("close", () => clearTimeout(timer));
  } else if (budget.refused === "stalled") {
    req.socket.destroy();
  } else {
    req.resume();
  }
}

/**
 * Connect reports binary input it cannot decode (a protobuf parse error, a
 * compressed frame without an encoding) as INTERNAL, the same input as JSON as
 * INVALID_ARGUMENT. A unary call's input is decoded before the interceptors
 * run, a streaming call's inside them; either way Connect aborts the call's
 * context with the error just before it answers it, so the code is corrected
 * there (the request gate's listener), and by the innermost interceptor for
 * the interceptors around it (request logs, metrics).
 */
const DECODE_FAILURES = /^(parse binary: |received compressed envelope, but do not know how to decompress)/;

function decodeFailures(): Interceptor {
  return (next) => async (req) => {
    try {
      const res = await next(req);
      return res.stream ? { ...res, message: correctStream(res.message) } : res;
    } catch (e) {
      decodeFailureIsInvalidArgument(e);
      throw e;
    }
  };
}

async function* correctStream<T>(messages: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* messages;
  } catch (e) {
    decodeFailureIsInvalidArgument(e);
    throw e;
  }
}

/**
 * Connect's own check of a frame's announced size (readMaxBytes) answers
 * RESOURCE_EXHAUSTED; for a caller without credentials the answer is the one
 * request-body.ts gives: present credentials.
 */
function oversizeIsUnauthenticated(reason: unknown, anonymousMaxBytes: number): void {
  if (!(reason instanceof ConnectError) || reason.code !== Code.ResourceExhausted || !/readMaxBytes/.test(reason.rawMessage)) return;
  const e = reason as { code: Code; message: string; rawMessage: string };
  e.code = Code.Unauthenticated;
  e.rawMessage = `a request without credentials may send at most ${anonymousMaxBytes} bytes (${reason.rawMessage}); present a token`;
  e.message = `[unauthenticated] ${e.rawMessage}`;
}

function decodeFailureIsInvalidArgument(reason: unknown): void {
  if (!(reason instanceof ConnectError) || reason.code !== Code.Internal || !DECODE_FAILURES.test(reason.rawMessage)) return;
  const e = reason as { code: Code; message: string };
  e.code = Code.InvalidArgument;
  e.message = `[invalid_argument] ${reason.rawMessage}`;
}
