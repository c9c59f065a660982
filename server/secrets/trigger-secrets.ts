// Secrets of a project's triggers (webhook keys, forge tokens, registry auth,
// values masked in logs): stored encrypted in project_triggers.secrets_enc.
import { InvalidArgumentError, NotFoundError } from "../errors.js";
import type { Store } from "../store/db.js";
import { findTriggerRow, setTriggerSecretsEnc } from "../store/projects.js";
import type { SecretCipher } from "./cipher.js";

const SECRET_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

async function triggerRow(store: Store, projectId: number, triggerName: string) {
  const row = await findTriggerRow(store.db, projectId, triggerName);
  if (!row) throw new NotFoundError(`trigger "${triggerName}" not found in the project's definition`);
  return row;
}

export async function getTriggerSecrets(store: Store, cipher: SecretCipher, projectId: number, triggerName: string): Promise<Record<string, string>> {
  return cipher.openMap((await triggerRow(store, projectId, triggerName)).secrets_enc);
}

/** The names of one trigger's secrets, sorted (values are never returned). */
export async function listTriggerSecretNames(store: Store, cipher: SecretCipher, projectId: number, triggerName: string): Promise<string[]> {
  return Object.keys(await getTriggerSecrets(store, cipher, projectId, triggerName)).sort();
}

/**
 * Sets secrets of one trigger. With `replace` the map becomes exactly
 * `secrets`; otherwise they are merged and an empty value deletes a name.
 * Returns the secret names now set.
 */
export async function setTriggerSecrets(store: Store, cipher: SecretCipher, projectId: number, triggerName: string,
  secrets: Record<string, string>, replace: boolean): Promise<string[]> {
  for (const [name, value] of Object.entries(secrets)) {
    if (!SECRET_NAME.test(name) || name === "." || name === "..") throw new InvalidArgumentError(`secrets: "${name}" must be 1-128 characters of A-Z a-z 0-9 _ . -`);
    if (value.length > 65536) throw new InvalidArgumentError(`secrets.${name}: longer than 65536 characters`);
  }
  const row = await triggerRow(store, projectId, triggerName);
  const next = replace ? {} : cipher.openMap(row.secrets_enc);
  for (const [name, value] of Object.entries(secrets)) {
    if (value === "") delete next[name];
    else next[name] = value;
  }
  await setTriggerSecretsEnc(store.db, row.id, cipher.sealMap(next));
  return Object.keys(next).sort();
}
