// Repository functions for browser sessions (auth/sessions.ts makes them):
// rows keyed by the sha256 of the cookie's secret, read with their token.
import type { Kysely } from "kysely";
import type { Database } from "./database.js";

/** A session row joined with its token's row (api_tokens columns). */
export interface SessionTokenRow {
  expires_at: number;
  id: number;
  name: string;
  scope: number;
  projects: string;
  created_at: number;
  revoked_at: number | null;
}

export async function insertSession(db: Kysely<Database>, s: { secretHash: string; tokenId: number; now: number; expiresAt: number }): Promise<void> {
  await db.insertInto("browser_sessions").values({ secret_hash: s.secretHash, token_id: s.tokenId, created_at: s.now, expires_at: s.expiresAt }).execute();
}

export async function deleteExpiredSessions(db: Kysely<Database>, now: number): Promise<void> {
  await db.deleteFrom("browser_sessions").where("expires_at", "<", now).execute();
}

export async function findSessionByHash(db: Kysely<Database>, secretHash: string): Promise<SessionTokenRow | undefined> {
  const row = await db.selectFrom("browser_sessions").innerJoin("api_tokens", "api_tokens.id", "browser_sessions.token_id")
    .select(["browser_sessions.expires_at", "api_tokens.id", "api_tokens.name", "api_tokens.scope", "api_tokens.projects", "api_tokens.created_at", "api_tokens.revoked_at"])
    .where("browser_sessions.secret_hash", "=", secretHash).executeTakeFirst();
  return row && { ...row, expires_at: Number(row.expires_at), created_at: Number(row.created_at), revoked_at: row.revoked_at === null ? null : Number(row.revoked_at) };
}

export async function deleteSessionByHash(db: Kysely<Database>, secretHash: string): Promise<void> {
  await db.deleteFrom("browser_sessions").where("secret_hash", "=", secretHash).execute();
}
