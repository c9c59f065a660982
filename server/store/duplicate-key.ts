// Recognises the store refusing a duplicate key (a unique or primary-key
// constraint), on either dialect: callers that race on purpose expect it.
export function isDuplicateKey(e: unknown): boolean {
  const code = (e as { code?: string }).code ?? "";
  return code === "ER_DUP_ENTRY" || code.startsWith("SQLITE_CONSTRAINT");
}
