// Repository functions for API tokens: only sha256 hashes are stored.
import type { Kysely } from "kysely";
import type { Scope } from "../../gen/jobserv/v1/token_pb.js";
import type { Database } from "../store/database.js";
import { hashToken, newToken } from "./tokens.js";

export interface TokenRow {
  id: number;
  name: string;
  scope: Scope;
  /** [] means all projects. */
  projects: string[];
  created_at: number;
  revoked_at: number | null;
}

const toRow = (r: { id: number; name: string; scope: number; projects: string; created_at: number; revoked_at: number | null }): TokenRow =>
  ({ ...r, scope: r.scope as Scope, projects: JSON.parse(r.projects) as string[] });

export async function createToken(db: Kysely<Database>, name: string, scope: Scope, projects: string[], now: number): Promise<{ row: TokenRow; secret: string }> {
  const secret = `jst_${newToken()}`;
  await db.insertInto("api_tokens").values({ name, token_hash: hashToken(secret), scope, projects: JSON.stringify(projects), created_at: now, revoked_at: null }).execute();
  return { row: (await findTokenBySecret(db, secret))!, secret };
}

/** A token from configuration (the first admin token): created once, by its hash. */
export async function ensureToken(db: Kysely<Database>, name: string, secret: string, scope: Scope, now: number): Promise<void> {
  if (await findTokenBySecret(db, secret)) return;
  try {
    await db.insertInto("api_tokens").values({ name, token_hash: hashToken(secret), scope, projects: "[]", created_at: now, revoked_at: null }).execute();
  } catch (e) {
    if (!(await findTokenBySecret(db, secret))) throw e; // another instance inserted it at the same time
  }
}

export async function findTokenBySecret(db: Kysely<Database>, secret: string): Promise<TokenRow | undefined> {
  const r = await db.selectFrom("api_tokens").select(["id", "name", "scope", "projects", "created_at", "revoked_at"])
    .where("token_hash", "=", hashToken(secret)).executeTakeFirst();
  return r ? toRow(r) : undefined;
}

export async function listTokens(db: Kysely<Database>): Promise<TokenRow[]> {
  const rows = await db.selectFrom("api_tokens").select(["id", "name", "scope", "projects", "created_at", "revoked_at"]).orderBy("id", "desc").execute();
  return rows.map(toRow);
}

export async function revokeToken(db: Kysely<Database>, id: number, now: number): Promise<boolean> {
  const res = await db.updateTable("api_tokens").set({ revoked_at: now }).where("id", "=", id).where("revoked_at", "is", null).executeTakeFirst();
  if (Number(res.numUpdatedRows) === 1) return true;
  return (await db.selectFrom("api_tokens").select("id").where("id", "=", id).executeTakeFirst()) !== undefined;
}
