// What `jobserv migrate` needs: the configured store opened without
// migrating, waited for as a starting server would, its migrations read and
// applied. The store's location is given with the password masked.
import type { ServerConfig } from "./config.js";
import { createLogger } from "./logger.js";
import { openStore } from "./store/db.js";
import { applyMigrations, migrationState, type MigrationState } from "./store/migrate.js";
import { redactStoreUrl, waitForStore } from "./store/wait.js";

export type { MigrationState };

export interface MigrationAdmin {
  /** The store URL fit for output (no password). */
  where: string;
  /** Resolves once the store answers; rejects naming the last failure after JOBSERV_STORE_WAIT_MS (60 s when 0). */
  waitForStore(): Promise<void>;
  state(): Promise<MigrationState>;
  /** Applies the pending migrations, returning their names. */
  apply(): Promise<string[]>;
  close(): Promise<void>;
}

export async function openMigrationAdmin(config: ServerConfig): Promise<MigrationAdmin> {
  const log = createLogger(config.logLevel);
  const store = await openStore(config.databaseUrl, log, { migrate: false });
  return {
    where: redactStoreUrl(config.databaseUrl),
    waitForStore: () => waitForStore(store, config.databaseUrl, log, { maxMs: config.storeWaitMs || 60_000 }),
    state: () => migrationState(store.db),
    apply: () => applyMigrations(store.db),
    close: () => store.close(),
  };
}
