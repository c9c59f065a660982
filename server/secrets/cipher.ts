// Encryption of secrets at rest (trigger secrets, and the copy each run
// keeps): AES-256-GCM with a server-wide key. Ciphertexts are
// `v1.<iv>.<tag>.<data>` in base64url, so the key can be rotated later by version.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

export class SecretCipher {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error("the secrets key must be 32 bytes");
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return ["v1", iv, cipher.getAuthTag(), data].map((p) => (typeof p === "string" ? p : p.toString("base64url"))).join(".");
  }

  decrypt(sealed: string): string {
    const [version, iv, tag, data] = sealed.split(".");
    if (version !== "v1" || iv === undefined || tag === undefined || data === undefined) throw new Error("not a jobserv secret ciphertext");
    const decipher = createDecipheriv("aes-256-gcm", this.key, Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
  }

  /** Secrets maps are stored as one ciphertext of their JSON; "" means none. */
  sealMap(secrets: Record<string, string>): string {
    return Object.keys(secrets).length ? this.encrypt(JSON.stringify(secrets)) : "";
  }

  openMap(sealed: string | null): Record<string, string> {
    return sealed ? (JSON.parse(this.decrypt(sealed)) as Record<string, string>) : {};
  }
}
