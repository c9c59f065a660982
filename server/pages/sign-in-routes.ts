// Sign-in and sign-out for browsers (the /login page posts here as a plain
// HTML form). `POST /login` (form: token, next) turns a valid API token into a
// session cookie (auth/sessions.ts) and goes on to `next`, a path on this
// server; an unknown or revoked token goes back to the form with an error.
// `POST /logout` ends the session. Both must come from this server's own
// pages (Sec-Fetch-Site/Origin): another site can neither sign a person out
// nor sign them in under someone else's token.
import type { Access } from "../auth/access.js";
import { clearedSessionCookie, isSameOrigin, sessionCookie, sessionSecretOf } from "../auth/browser-request.js";
import { createSession, deleteSession, tokenForSignIn } from "../auth/sessions.js";
import type { Store } from "../store/db.js";
import { readBody } from "../gateway/read-body.js";
import { headerGetter } from "../gateway/rest-access.js";
import { HttpError, type Req, type Res, type Route } from "../gateway/router.js";

export interface SignInDeps {
  store: Store;
  access: Access;
  now: () => number;
  /** How long a session lasts from sign-in. */
  sessionTtlMs: number;
}

/** Over TLS, directly or (X-Forwarded-Proto) behind a proxy that terminates it: the cookie gets Secure. */
function overTls(req: Req): boolean {
  const forwarded = headerGetter(req)("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  return (req.socket as { encrypted?: boolean }).encrypted === true || forwarded === "https";
}

/** `next` if it is a path on this server ("/..." but not "//host" or "/\\host"), else "/". */
export function safeNext(next: string | null): string {
  return next && /^\/(?![/\\])/.test(next) && !/[\r\n]/.test(next) ? next : "/";
}

function seeOther(res: Res, location: string, cookie?: string): void {
  res.writeHead(303, { location, "cache-control": "no-store", ...(cookie ? { "set-cookie": cookie } : {}) });
  res.end();
}

function requireOwnPage(req: Req, what: string): void {
  if (!isSameOrigin(headerGetter(req))) throw new HttpError(403, `${what} must be posted from this server's own /login page (cross-site request refused)`);
}

export function signInRoutes(deps: SignInDeps): Route[] {
  return [
    {
      method: "POST", path: /^\/login\/?$/,
      async handle(req, res) {
        requireOwnPage(req, "sign-in");
        const form = new URLSearchParams((await readBody(req, 16 * 1024)).toString());
        const next = safeNext(form.get("next"));
        const token = await tokenForSignIn(deps.store, (form.get("token") ?? "").trim());
        if (!token) {
          seeOther(res, `/login?${new URLSearchParams({ next, error: "That token is unknown or revoked." })}`);
          return;
        }
        const { secret } = await createSession(deps.store, token, deps.now(), deps.sessionTtlMs);
        seeOther(res, next, sessionCookie(secret, Math.floor(deps.sessionTtlMs / 1000), overTls(req)));
      },
    },
    {
      method: "POST", path: /^\/logout\/?$/,
      async handle(req, res) {
        requireOwnPage(req, "sign-out");
        req.resume();
        const secret = sessionSecretOf(headerGetter(req)("cookie"));
        if (secret) {
          await deleteSession(deps.store, secret);
          deps.access.forgetSession(secret);
        }
        seeOther(res, "/", clearedSessionCookie(overTls(req)));
      },
    },
  ];
}
