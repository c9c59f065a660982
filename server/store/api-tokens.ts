// Repository functions for API tokens: only sha256 hashes of the secrets are
// stored (auth/api-tokens.ts makes and hashes them).
import type { Kysely } from "kysely";
import type { Scope } from "../../gen/jobserv/v1/token_pb.js";
import type { Database } from "./database.js";

export interface TokenRow {
  id: number;
  name: string;
  scope: Scope;
  /** [] means all projects. */
  projects: string[];
  created_at: number;
  revoked_at: number | null;
}

const COLUMNS = ["id", "name", "scope", "projects", "created_at", "revoked_at"] as const;

const toRow = (r: { id: number; name: string; scope: number; projects: string; created_at: number; revoked_at: number | null }): TokenRow =>
  ({ ...r, scope: r.scope as Scope, projects: JSON.parse(r.projects) as string[], created_at: Number(r.created_at), revoked_at: r.revoked_at === null ? null : Number(r.revoked_at) });

export async function insertToken(db: Kysely<Database>, t: { name: string; tokenHash: string; scope: Scope; projects: readonly string[]; now: number }): Promise<void> {
  await db.insertInto("api_tokens").values({ name: t.name, token_hash: t.tokenHash, scope: t.scope, projects: JSON.stringify(t.projects), created_at: t.now, revoked_at: null }).execute();
}

export async function findTokenByHash(db: Kysely<Database>, tokenHash: string): Promise<TokenRow | undefined> {
  const r = await db.selectFrom("api_tokens").select(COLUMNS).where("token_hash", "=", tokenHash).executeTakeFirst();
  return r ? toRow(r) : undefined;
}

/** Tokens newest first, with ids below `beforeId`, at most `limit`. */
export async function listTokens(db: Kysely<Database>, beforeId: number, limit: number): Promise<TokenRow[]> {
  const rows = await db.selectFrom("api_tokens").select(COLUMNS).where("id", "<", beforeId).orderBy("id", "desc").limit(limit).execute();
  return rows.map(toRow);
}

/** Marks a token revoked; false when there is no such token (an already revoked one stays as it was: true). */
export async function revokeToken(db: Kysely<Database>, id: number, now: number): Promise<boolean> {
  const res = await db.updateTable("api_tokens").set({ revoked_at: now }).where("id", "=", id).where("revoked_at", "is", null).executeTakeFirst();
  if (Number(res.numUpdatedRows) === 1) return true;
  return (await db.selectFrom("api_tokens").select("id").where("id", "=", id).executeTakeFirst()) !== undefined;
}
