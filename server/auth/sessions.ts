// Browser sessions: a person pastes an API token once at /login and gets a
// cookie instead. The session acts as that token (same scope, same project
// limits, same rules in access.ts) until it expires, the person signs out, or
// the token is revoked. The store keeps only a sha256 of the cookie's secret,
// so any instance recognises a session made on another one.
import type { Kysely } from "kysely";
import type { Database } from "../store/database.js";
import { findTokenBySecret, type TokenRow } from "./api-tokens.js";
import { hashToken, newToken } from "./tokens.js";

export interface Session {
  token: TokenRow;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/** The token behind `tokenSecret` if it may open a session (known, not revoked). */
export async function tokenForSignIn(db: Kysely<Database>, tokenSecret: string): Promise<TokenRow | undefined> {
  const token = tokenSecret ? await findTokenBySecret(db, tokenSecret) : undefined;
  return token && token.revoked_at === null ? token : undefined;
}

/** A new session for `token`; returns the cookie secret (never stored) and when it expires. */
export async function createSession(db: Kysely<Database>, token: TokenRow, now: number, ttlMs: number): Promise<{ secret: string; expiresAt: number }> {
  const secret = `jss_${newToken()}`;
  const expiresAt = now + ttlMs;
  await db.insertInto("browser_sessions").values({ secret_hash: hashToken(secret), token_id: token.id, created_at: now, expires_at: expiresAt }).execute();
  // Sessions nobody signed out of stay until here: each sign-in sweeps the expired ones.
  await db.deleteFrom("browser_sessions").where("expires_at", "<", now).execute();
  return { secret, expiresAt };
}

/** The live session of a cookie secret: unknown, expired and revoked-token sessions are none. */
export async function findSession(db: Kysely<Database>, secret: string, now: number): Promise<Session | undefined> {
  const row = await db.selectFrom("browser_sessions").innerJoin("api_tokens", "api_tokens.id", "browser_sessions.token_id")
    .select(["browser_sessions.expires_at", "api_tokens.id", "api_tokens.name", "api_tokens.scope", "api_tokens.projects", "api_tokens.created_at", "api_tokens.revoked_at"])
    .where("browser_sessions.secret_hash", "=", hashToken(secret)).executeTakeFirst();
  if (!row || Number(row.expires_at) <= now || row.revoked_at !== null) return undefined;
  const token: TokenRow = {
    id: row.id, name: row.name, scope: row.scope, projects: JSON.parse(row.projects) as string[],
    created_at: Number(row.created_at), revoked_at: null,
  };
  return { token, expiresAt: Number(row.expires_at) };
}

/** Signs out: the session is gone on every instance (within their 5 s principal cache). */
export async function deleteSession(db: Kysely<Database>, secret: string): Promise<void> {
  await db.deleteFrom("browser_sessions").where("secret_hash", "=", hashToken(secret)).execute();
}
