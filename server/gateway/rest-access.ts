// Access rules (auth/access.ts) for REST routes: the same bearer tokens and
// answers as the RPC API (401 without a valid token, 403 for a scope too
// small, 404 for projects a project-limited token cannot see). A browser
// session cookie also authorises these routes' plain links (GET).
import { Scope } from "../../gen/jobserv/v1/token_pb.js";
import type { Access, Principal } from "../auth/access.js";
import type { HeaderGetter } from "../auth/browser-request.js";
import type { Store } from "../store/db.js";
import { findProjectByName } from "../store/projects.js";
import type { Req } from "./router.js";

export async function requireProject(access: Access, store: Store, req: Req, project: string, scope: Scope = Scope.READ): Promise<Principal> {
  const p = await requestCaller(access, req);
  access.requireOnProject(p, scope, await findProjectByName(store.db, project), project);
  return p;
}

/** The caller of a REST request: bearer token, else (on GET) browser session, else anonymous. */
export function requestCaller(access: Access, req: Req): Promise<Principal> {
  return access.caller(headerGetter(req), req.method === "GET" || req.method === "HEAD");
}

export function headerGetter(req: Req): HeaderGetter {
  return (name) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v.join(", ") : v;
  };
}

/**
 * A REST write's caller: a bearer API token with `scope` on the project. The
 * browser session cookie is not accepted here (no CSRF through REST writes).
 */
export async function requireBearer(access: Access, store: Store, req: Req, project: string, scope: Scope): Promise<Principal> {
  const p = await access.principal(headerGetter(req)("authorization"));
  access.requireOnProject(p, scope, await findProjectByName(store.db, project), project);
  return p;
}
