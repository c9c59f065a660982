// Token hashing and comparison: only sha256 hashes of worker and run tokens
// are stored; comparisons are constant-time.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function newToken(): string {
  return randomBytes(24).toString("base64url");
}

export function tokenMatches(token: string, storedHash: string | null): boolean {
  const expected = Buffer.from(storedHash ?? "", "hex");
  const given = Buffer.from(hashToken(token), "hex");
  return expected.length === given.length && timingSafeEqual(expected, given);
}
