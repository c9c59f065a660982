// Who is calling and what they may do: the one place that decides access to
// the API (RPC and REST). Callers present `authorization: Bearer <token>`.
// Rules: anonymous callers may read public projects only; a token's scope
// (read < trigger < admin) says what it may do; a token limited to projects
// sees only those (others answer NOT_FOUND, so their existence is not told).
// Worker and run tokens are not API tokens: they work on WorkerService only,
// and a run's token on its own tests from outside (`runWriter`).
// A browser session (sessions.ts) is its token: same scope, same limits.
import { Scope } from "../../gen/jobserv/v1/token_pb.js";
import { NotFoundError, PermissionDeniedError, UnauthenticatedError } from "../errors.js";
import type { Store } from "../store/db.js";
import type { TokenRow } from "../store/api-tokens.js";
import { findTokenBySecret } from "./api-tokens.js";
import { tokenMatches } from "./tokens.js";
import { isSameOrigin, sessionSecretOf, type HeaderGetter } from "./browser-request.js";
import { findSession } from "./sessions.js";

/** `session` is set when the token came from a browser session cookie. */
export type Principal = { kind: "anonymous" } | { kind: "token"; token: TokenRow; session?: { expiresAt: number } };

const ANONYMOUS: Principal = { kind: "anonymous" };

const CACHE_MS = 5_000;

export class Access {
  private readonly cache = new Map<string, { principal: Principal; until: number }>();

  constructor(private readonly store: Store) {}

  /**
   * Resolves the `authorization` header; a present but unknown or revoked
   * token is UNAUTHENTICATED. `Bearer` with nothing after it is anonymous:
   * what `-H "Authorization: Bearer $JOBSERV_TOKEN"` sends with the variable
   * unset (the console.log's steps to recreate a run work for public projects).
   */
  async principal(authorization: string | null | undefined): Promise<Principal> {
    if (!authorization || /^Bearer\s*$/i.test(authorization)) return { kind: "anonymous" };
    const m = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!m) throw new UnauthenticatedError("authorization: expected `Bearer <token>`");
    const secret = m[1]!;
    const hit = this.cache.get(`bearer:${secret}`);
    if (hit && hit.until > Date.now()) return hit.principal;
    const token = await findTokenBySecret(this.store, secret);
    if (!token || token.revoked_at !== null) throw new UnauthenticatedError("unknown or revoked API token");
    const principal: Principal = { kind: "token", token };
    this.remember(`bearer:${secret}`, principal);
    return principal;
  }

  /**
   * The caller of a request: its bearer token when it has an `authorization`
   * header; else its browser session cookie, honoured on plain links
   * (`plainLink`: GET pages, console.log, artifacts, rundef) and on other
   * requests only when they come from this server's own pages (same origin),
   * so another site cannot act with a person's session; else anonymous. An
   * expired, signed-out or revoked-token session is anonymous.
   */
  async caller(header: HeaderGetter, plainLink: boolean): Promise<Principal> {
    const authorization = header("authorization");
    if (authorization) return this.principal(authorization);
    const secret = sessionSecretOf(header("cookie"));
    if (!secret) return ANONYMOUS;
    if (!plainLink && !isSameOrigin(header)) {
      throw new PermissionDeniedError("a browser session is accepted only on requests from this server's own pages (Sec-Fetch-Site/Origin); API clients send a bearer token");
    }
    const key = `session:${secret}`;
    const hit = this.cache.get(key);
    const now = Date.now();
    if (hit && hit.until > now) return hit.principal.kind === "token" && (hit.principal.session?.expiresAt ?? 0) > now ? hit.principal : ANONYMOUS;
    const session = await findSession(this.store, secret, now);
    if (!session) return ANONYMOUS;
    const principal: Principal = { kind: "token", token: session.token, session: { expiresAt: session.expiresAt } };
    this.remember(key, principal);
    return principal;
  }

  /** Drops the cached principal of a signed-out session (other instances: within CACHE_MS). */
  forgetSession(secret: string): void {
    this.cache.delete(`session:${secret}`);
  }

  /** Drops cached principals of token `id` (called when it is revoked here). */
  forget(id: number): void {
    for (const [secret, hit] of this.cache) {
      if (hit.principal.kind === "token" && hit.principal.token.id === id) this.cache.delete(secret);
    }
  }

  /** Admin over everything (tokens, workers, creating projects). */
  requireAdmin(p: Principal): void {
    this.require(p, Scope.ADMIN);
    if (p.kind === "token" && p.token.projects.length) throw new PermissionDeniedError("this token is limited to projects; the call needs an unrestricted admin token");
  }

  /** `scope` on `project` (a project row, or undefined if it does not exist). */
  requireOnProject(p: Principal, scope: Scope, project: { name: string; public: number } | undefined, name: string): void {
    if (scope === Scope.READ && project?.public) return;
    this.require(p, scope);
    if (p.kind === "token" && p.token.projects.length && !p.token.projects.includes(name)) throw new NotFoundError(`project "${name}" not found`);
  }

  /**
   * Who may report tests on a run from outside (JobServ's test API): the run's
   * own token (`authorization: Token <run token>`, while the run is open), or
   * an API token with trigger scope on the project.
   */
  async runWriter(authorization: string | undefined, run: { token_hash: string | null; open: boolean },
    project: { name: string; public: number } | undefined, name: string): Promise<void> {
    const m = /^Token\s+(\S+)$/i.exec(authorization ?? "");
    if (m) {
      if (!run.open || !run.token_hash || !tokenMatches(m[1]!, run.token_hash)) throw new UnauthenticatedError("not this run's token, or the run is complete");
      return;
    }
    this.requireOnProject(await this.principal(authorization), Scope.TRIGGER, project, name);
  }

  /** Whether `p` may read `project` (for filtering lists). */
  canRead(p: Principal, project: { name: string; public: number }): boolean {
    if (project.public) return true;
    return p.kind === "token" && (!p.token.projects.length || p.token.projects.includes(project.name));
  }

  private remember(key: string, principal: Principal): void {
    if (this.cache.size > 10_000) this.cache.clear();
    // Revocation takes effect at once on the instance that revoked (forget) and
    // on every other instance within CACHE_MS.
    this.cache.set(key, { principal, until: Date.now() + CACHE_MS });
  }

  private require(p: Principal, scope: Scope): void {
    if (p.kind === "anonymous") throw new UnauthenticatedError(`this call needs an API token with ${Scope[scope].toLowerCase()} scope`);
    if (p.token.scope < scope) throw new PermissionDeniedError(`this call needs ${Scope[scope].toLowerCase()} scope; the token has ${Scope[p.token.scope]?.toLowerCase() ?? "none"}`);
  }
}
