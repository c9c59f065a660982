// What the API services are built from; assembled once in server/main.ts.
import type { BuildWatches } from "../builds/build-watch.js";
import type { Lifecycle } from "../builds/lifecycle.js";
import type { TriggerDeps } from "../builds/trigger.js";
import type { LogStore } from "../logs/log-store.js";
import type { Dispatcher } from "../scheduler/dispatcher.js";
import type { LeaseKeeper } from "../scheduler/leases.js";
import type { SecretCipher } from "../secrets/cipher.js";
import type { ArtifactStorage } from "../artifacts/storage.js";
import type { Authorizer } from "./authorize.js";
import type { Store } from "../store/db.js";
import type { WorkerAuth } from "./worker-auth.js";

export interface ApiDeps {
  store: Store;
  cipher: SecretCipher;
  authz: Authorizer;
  logs: LogStore;
  /** Where runs' artifact files are (rerun and project delete remove theirs). */
  artifacts: ArtifactStorage;
  dispatcher: Dispatcher;
  leases: LeaseKeeper;
  /** Every run and build status change goes through it. */
  lifecycle: Lifecycle;
  /** The watch streams' changes, from every instance. */
  watches: BuildWatches;
  trigger: TriggerDeps;
  /** Worker calls' credentials (shared with the request gate, so its check is cached for the handler). */
  workerAuth: WorkerAuth;
  now: () => number;
  /** If set, workers presenting it are enlisted at registration. */
  workerRegistrationSecret: string;
}
