// Who is calling and what they may do: the one place that decides access to
// the API (RPC and REST). Callers present `authorization: Bearer <token>`.
// Rules: anonymous callers may read public projects only; a token's scope
// (read < trigger < admin) says what it may do; a token limited to projects
// sees only those (others answer NOT_FOUND, so their existence is not told).
// Worker and run tokens are not API tokens: they work on WorkerService only.
import { Scope } from "../../gen/jobserv/v1/token_pb.js";
import { NotFoundError, PermissionDeniedError, UnauthenticatedError } from "../errors.js";
import type { Store } from "../store/db.js";
import type { TokenRow } from "../store/api-tokens.js";
import { findTokenBySecret } from "./api-tokens.js";

export type Principal = { kind: "anonymous" } | { kind: "token"; token: TokenRow };

const CACHE_MS = 5_000;

export class Access {
  private readonly cache = new Map<string, { principal: Principal; until: number }>();

  constructor(private readonly store: Store) {}

  /** Resolves the `authorization` header; a present but unknown or revoked token is UNAUTHENTICATED. */
  async principal(authorization: string | null | undefined): Promise<Principal> {
    if (!authorization) return { kind: "anonymous" };
    const m = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!m) throw new UnauthenticatedError("authorization: expected `Bearer <token>`");
    const secret = m[1]!;
    const hit = this.cache.get(secret);
    if (hit && hit.until > Date.now()) return hit.principal;
    const token = await findTokenBySecret(this.store, secret);
    if (!token || token.revoked_at !== null) throw new UnauthenticatedError("unknown or revoked API token");
    const principal: Principal = { kind: "token", token };
    if (this.cache.size > 10_000) this.cache.clear();
    // Revocation takes effect at once on the instance that revoked (forget) and
    // on every other instance within CACHE_MS.
    this.cache.set(secret, { principal, until: Date.now() + CACHE_MS });
    return principal;
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

  /** Whether `p` may read `project` (for filtering lists). */
  canRead(p: Principal, project: { name: string; public: number }): boolean {
    if (project.public) return true;
    return p.kind === "token" && (!p.token.projects.length || p.token.projects.includes(project.name));
  }

  private require(p: Principal, scope: Scope): void {
    if (p.kind === "anonymous") throw new UnauthenticatedError(`this call needs an API token with ${Scope[scope].toLowerCase()} scope`);
    if (p.token.scope < scope) throw new PermissionDeniedError(`this call needs ${Scope[scope].toLowerCase()} scope; the token has ${Scope[p.token.scope]?.toLowerCase() ?? "none"}`);
  }
}
