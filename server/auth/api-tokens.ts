// API tokens: secrets are made here and only their sha256 hashes reach the
// store (store/api-tokens.ts).
import type { Scope } from "../../gen/jobserv/v1/token_pb.js";
import { findTokenByHash, insertToken, type TokenRow } from "../store/api-tokens.js";
import type { Store } from "../store/db.js";
import { hashToken, newToken } from "./tokens.js";

export async function createToken(store: Store, name: string, scope: Scope, projects: string[], now: number): Promise<{ row: TokenRow; secret: string }> {
  const secret = `jst_${newToken()}`;
  await insertToken(store.db, { name, tokenHash: hashToken(secret), scope, projects, now });
  return { row: (await findTokenBySecret(store, secret))!, secret };
}

/** A token from configuration (the first admin token): created once, by its hash. */
export async function ensureToken(store: Store, name: string, secret: string, scope: Scope, now: number): Promise<void> {
  if (await findTokenBySecret(store, secret)) return;
  try {
    await insertToken(store.db, { name, tokenHash: hashToken(secret), scope, projects: [], now });
  } catch (e) {
    if (!(await findTokenBySecret(store, secret))) throw e; // another instance inserted it at the same time
  }
}

export function findTokenBySecret(store: Store, secret: string): Promise<TokenRow | undefined> {
  return findTokenByHash(store.db, hashToken(secret));
}
