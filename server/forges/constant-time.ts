// Constant-time comparison of two secrets of any length: both sides are hashed
// first, so neither the content nor the length leaks through timing.
import { createHash, timingSafeEqual } from "node:crypto";

export function secretsEqual(a: string | Buffer, b: string | Buffer): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb);
}
