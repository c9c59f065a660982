// The server-wide secrets key: JOBSERV_SECRETS_KEY (base64 of 32 bytes), or a
// key file created on first start (mode 0600) for single-machine setups.
// Every instance of one deployment must use the same key.
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";

export function loadSecretsKey(config: { secretsKey: string; secretsKeyFile: string }): Buffer {
  if (config.secretsKey) return decode(config.secretsKey, "JOBSERV_SECRETS_KEY");
  try {
    return decode(readFileSync(config.secretsKeyFile, "utf8").trim(), config.secretsKeyFile);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  const key = randomBytes(32);
  // "wx": never overwrite a key another instance just wrote.
  try {
    writeFileSync(config.secretsKeyFile, key.toString("base64") + "\n", { mode: 0o600, flag: "wx" });
    return key;
  } catch {
    return decode(readFileSync(config.secretsKeyFile, "utf8").trim(), config.secretsKeyFile);
  }
}

function decode(text: string, from: string): Buffer {
  const key = Buffer.from(text, "base64");
  if (key.length !== 32) throw new Error(`${from}: the secrets key must be 32 bytes, base64-encoded`);
  return key;
}
