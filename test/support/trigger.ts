// Dependencies for calling triggerBuild directly in store-level tests.
import { randomBytes } from "node:crypto";
import { StatusEvents } from "../../server/builds/events.js";
import { createLogger } from "../../server/logger.js";
import { SecretCipher } from "../../server/secrets/cipher.js";
import type { TriggerDeps } from "../../server/builds/trigger.js";
import type { Store } from "../../server/store/db.js";

export function triggerDeps(store: Store, onQueued: () => void = () => {}): TriggerDeps {
  return { store, cipher: new SecretCipher(randomBytes(32)), events: new StatusEvents(createLogger("silent")), publicUrl: "http://jobserv.test", now: Date.now, onQueued };
}
