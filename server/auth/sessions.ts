// Browser sessions: a person pastes an API token once at /login and gets a
// cookie instead. The session acts as that token (same scope, same project
// limits, same rules in access.ts) until it expires, the person signs out, or
// the token is revoked. The store keeps only a sha256 of the cookie's secret
// (store/browser-sessions.ts), so any instance recognises a session made on
// another one.
import type { Scope } from "../../gen/jobserv/v1/token_pb.js";
import type { Store } from "../store/db.js";
import { deleteExpiredSessions, deleteSessionByHash, findSessionByHash, insertSession } from "../store/browser-sessions.js";
import type { TokenRow } from "../store/api-tokens.js";
import { findTokenBySecret } from "./api-tokens.js";
import { hashToken, newToken } from "./tokens.js";

export interface Session {
  token: TokenRow;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/** The token behind `tokenSecret` if it may open a session (known, not revoked). */
export async function tokenForSignIn(store: Store, tokenSecret: string): Promise<TokenRow | undefined> {
  const token = tokenSecret ? await findTokenBySecret(store, tokenSecret) : undefined;
  return token && token.revoked_at === null ? token : undefined;
}

/** A new session for `token`; returns the cookie secret (never stored) and when it expires. */
export async function createSession(store: Store, token: TokenRow, now: number, ttlMs: number): Promise<{ secret: string; expiresAt: number }> {
  const secret = `jss_${newToken()}`;
  const expiresAt = now + ttlMs;
  await insertSession(store.db, { secretHash: hashToken(secret), tokenId: token.id, now, expiresAt });
  // Sessions nobody signed out of stay until here: each sign-in sweeps the expired ones.
  await deleteExpiredSessions(store.db, now);
  return { secret, expiresAt };
}

/** The live session of a cookie secret: unknown, expired and revoked-token sessions are none. */
export async function findSession(store: Store, secret: string, now: number): Promise<Session | undefined> {
  const row = await findSessionByHash(store.db, hashToken(secret));
  if (!row || row.expires_at <= now || row.revoked_at !== null) return undefined;
  const token: TokenRow = {
    id: row.id, name: row.name, scope: row.scope as Scope, projects: JSON.parse(row.projects) as string[], created_at: row.created_at, revoked_at: null,
  };
  return { token, expiresAt: row.expires_at };
}

/** Signs out: the session is gone on every instance (within their 5 s principal cache). */
export async function deleteSession(store: Store, secret: string): Promise<void> {
  await deleteSessionByHash(store.db, hashToken(secret));
}
