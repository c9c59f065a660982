// A tiny route table for the REST gateway (the Connect adapter's fallback).
// Each feature contributes its routes from its own file; this file only
// matches method + path pattern and maps domain errors to HTTP statuses.
import type http from "node:http";
import {
  AlreadyExistsError, FailedPreconditionError, InvalidArgumentError, NotFoundError, PermissionDeniedError, UnauthenticatedError, UnavailableError,
} from "../errors.js";
import { randomUUID } from "node:crypto";
import type { Logger } from "../logger.js";
import { wantsHtml } from "./negotiate.js";

// HTTP/2 compatibility-API requests have the same shape for what routes use.
export type Req = http.IncomingMessage;
export type Res = http.ServerResponse;

export interface Route {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Matched against the URL path; capture groups are passed to the handler. */
  path: RegExp;
  /** If set, the route serves only the requests it accepts (e.g. by Accept); others go on to later routes. */
  when?(req: Req): boolean;
  /** JobServ's REST routes: errors as JSend (`{"status": "error", "message"}`) with JobServ's statuses, and an x-correlation-id. */
  jsend?: boolean;
  handle(req: Req, res: Res, params: string[], url: URL): Promise<void>;
}

/** A route's own HTTP error: status plus message, sent as JSON `{error}`. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export function statusOf(e: unknown): number {
  if (e instanceof HttpError) return e.status;
  if (e instanceof NotFoundError) return 404;
  if (e instanceof InvalidArgumentError) return 400;
  if (e instanceof UnauthenticatedError) return 401;
  if (e instanceof PermissionDeniedError) return 403;
  if (e instanceof AlreadyExistsError) return 409;
  if (e instanceof FailedPreconditionError) return 409;
  if (e instanceof UnavailableError) return 503;
  return 500;
}

/** JobServ answers a request in a state that does not allow it (promote an incomplete build...) with 400. */
function jsendStatusOf(e: unknown): number {
  return e instanceof FailedPreconditionError ? 400 : statusOf(e);
}

/** The caller's `x-request-id`, or a new one (the same one for every call on one request); echoed in the response. */
export function requestId(req: Req, res: Res): string {
  const set = res.getHeader("x-request-id");
  if (typeof set === "string") return set;
  const given = req.headers["x-request-id"];
  const id = typeof given === "string" && given ? given : randomUUID();
  if (!res.headersSent) res.setHeader("x-request-id", id);
  return id;
}

/** Sends the answer to a route's error: its status, and its message unless it is a server fault. */
export function sendError(res: Res, e: unknown): void {
  const status = statusOf(e);
  if (!res.headersSent) sendJson(res, status, { error: status === 500 ? "internal error" : (e as Error).message });
  else res.end();
}

export function createRouter(routes: readonly Route[], log: Logger): (req: Req, res: Res) => void {
  return (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const method = req.method === "HEAD" ? "GET" : req.method;
    let allowed = false;
    for (const route of routes) {
      const m = route.path.exec(url.pathname);
      if (!m || (route.when && !route.when(req))) continue;
      allowed = true;
      if (route.method !== method) continue;
      let params: string[];
      try {
        params = m.slice(1).map((p) => decodeURIComponent(p));
      } catch {
        // A malformed %-escape: answer 400 rather than throw out of the request handler.
        sendJson(res, 400, { error: `malformed %-escape in ${url.pathname}` });
        return;
      }
      if (route.jsend) res.setHeader("x-correlation-id", requestId(req, res));
      route.handle(req, res, params, url).catch((e: unknown) => {
        const status = route.jsend ? jsendStatusOf(e) : statusOf(e);
        if (status === 500) log.error({ reqId: requestId(req, res), method: req.method, path: url.pathname, err: e }, "REST route failed");
        // A browser following a plain link to something private: sign in, then come back.
        if (status === 401 && method === "GET" && wantsHtml(req.headers["accept"]) && !res.headersSent) signInFirst(res, url);
        else if (!res.headersSent && route.jsend) sendJson(res, status, { status: "error", message: jsendMessage(status, e, url, req, res) });
        else sendError(res, e);
      });
      return;
    }
    sendJson(res, allowed ? 405 : 404, { error: allowed ? `${req.method} not allowed on ${url.pathname}` : `no route for ${url.pathname}` });
  };
}

/** JobServ's error messages: 404 `Object does not exist: <path>` (with our reason), 500 with the correlation id and no detail. */
function jsendMessage(status: number, e: unknown, url: URL, req: Req, res: Res): string {
  if (status === 500) return `Unexpected error. Correlation ID: ${requestId(req, res)}`;
  if (status === 404) return `Object does not exist: ${url.pathname} (${(e as Error).message})`;
  return (e as Error).message;
}

/** 303 to the sign-in page, which returns to `url` afterwards. */
export function signInFirst(res: Res, url: URL): void {
  res.writeHead(303, { location: `/login?${new URLSearchParams({ next: url.pathname + url.search })}`, "cache-control": "no-store" });
  res.end();
}

export function sendJson(res: Res, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
