// Dependencies for calling triggerBuild directly in store-level tests: a real
// run lifecycle on the store; `onQueued` hears each new build's QUEUED event.
import { randomBytes } from "node:crypto";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { Lifecycle } from "../../server/builds/lifecycle.js";
import { createLogger } from "../../server/logger.js";
import { SecretCipher } from "../../server/secrets/cipher.js";
import type { TriggerDeps } from "../../server/builds/trigger.js";
import type { Store } from "../../server/store/db.js";

export function triggerDeps(store: Store, onQueued: () => void = () => {}): TriggerDeps {
  const lifecycle = new Lifecycle({ store, now: Date.now, log: createLogger("silent"), publicUrl: () => "http://jobserv.test", notes: { note: async () => {} } });
  lifecycle.subscribe({ onLifecycleEvent: (e) => { if (e.kind === "build" && e.status === Status.QUEUED) onQueued(); } });
  return { store, cipher: new SecretCipher(randomBytes(32)), lifecycle, publicUrl: "http://jobserv.test", now: Date.now };
}
