// JobServ's REST conventions, for the routes that speak them: the JSend
// envelope (`{"status": "success", "data": ...}`), page/limit pagination with
// `total`, `pages` and an absolute `next` link, ISO-8601 times with +00:00,
// and request bodies as JSON objects with their keys checked.
import { InvalidArgumentError } from "../errors.js";
import { parseJsonObject } from "../forges/payload.js";
import { readBody } from "./read-body.js";
import type { Req, Res } from "./router.js";

export function sendJsend(res: Res, status: number, data: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", vary: "Accept" });
  res.end(JSON.stringify({ status: "success", data }));
}

/** ISO-8601 in UTC with JobServ's `+00:00`; null stays null. */
export function isoTime(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString().replace("Z", "+00:00");
}

export interface PageArgs { page: number; limit: number; offset: number }

/** `?page=` (from 0) and `?limit=` (default 25, at most 1000), as JobServ reads them. */
export function pageArgs(url: URL): PageArgs {
  const limit = intArg(url, "limit", 25);
  const page = intArg(url, "page", 0);
  if (limit < 1 || limit > 1000) throw new InvalidArgumentError('Invalid pagination. "limit" must be 1 to 1000');
  return { page, limit, offset: page * limit };
}

function intArg(url: URL, name: string, dflt: number): number {
  const v = url.searchParams.get(name);
  if (v === null) return dflt;
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`Invalid pagination. "${name}" must be numeric`);
  return Number(v);
}

/** JobServ's paginated data: `{limit, page, pages, total, <key>: items, next?}`; `next` keeps the other query parameters. */
export function paged(key: string, items: unknown[], total: number, args: PageArgs, base: string, url: URL): Record<string, unknown> {
  const pages = Math.ceil(total / args.limit);
  const data: Record<string, unknown> = { limit: args.limit, page: args.page, pages, total, [key]: items };
  if (args.page + 1 < pages) {
    // JobServ's own order: page, then limit (other parameters after them).
    const q = new URLSearchParams({ page: String(args.page + 1), limit: String(args.limit) });
    for (const [k, v] of url.searchParams) if (k !== "page" && k !== "limit") q.append(k, v);
    data["next"] = `${base}${url.pathname}?${q}`;
  }
  return data;
}

/** The request's JSON object body (empty body: `{}`). */
export async function jsonBody(req: Req, maxBytes: number): Promise<Record<string, unknown>> {
  const body = await readBody(req, maxBytes);
  return body.length ? parseJsonObject(body) as Record<string, unknown> : {};
}

/** A body field of the expected type (undefined when absent or null). */
export function field<T extends "string" | "number" | "boolean" | "object">(body: Record<string, unknown>, key: string, type: T):
  (T extends "string" ? string : T extends "number" ? number : T extends "boolean" ? boolean : Record<string, unknown>) | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== type || (type === "object" && Array.isArray(v))) throw new InvalidArgumentError(`${key}: must be ${type === "object" ? "an object" : `a ${type}`}`);
  return v as never;
}

/** A field that must be an object of strings (params, secrets). */
export function stringMap(body: Record<string, unknown>, key: string): Record<string, string> {
  const v = field(body, key, "object") ?? {};
  for (const [k, x] of Object.entries(v)) if (typeof x !== "string") throw new InvalidArgumentError(`${key}.${k}: must be a string`);
  return v as Record<string, string>;
}
