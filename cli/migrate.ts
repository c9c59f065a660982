// `jobserv migrate [--check]`: store migrations as a separate step, for
// operators who start servers with JOBSERV_MIGRATE=off (rolling upgrades:
// apply the new version's additive migrations, then replace the servers).
// --check changes nothing; exit 0 when none is pending, 1 when some are.
import { parseArgs } from "node:util";
import { loadServerConfig } from "../server/config.js";
import { createLogger } from "../server/logger.js";
import { openStore } from "../server/store/db.js";
import { applyMigrations, migrationState } from "../server/store/migrate.js";
import { redactStoreUrl, waitForStore } from "../server/store/wait.js";

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { check: { type: "boolean", default: false } } });
  const config = loadServerConfig();
  const where = redactStoreUrl(config.databaseUrl);
  const store = await openStore(config.databaseUrl, createLogger(config.logLevel), { migrate: false });
  try {
    try {
      await waitForStore(store, config.databaseUrl, createLogger(config.logLevel), { maxMs: config.storeWaitMs || 60_000 });
    } catch (e) {
      console.error(`jobserv migrate: ${(e as Error).message}`);
      return 2;
    }
    const state = await migrationState(store.db);
    const newer = state.unknown.length ? `; ${state.unknown.length} newer migration(s) this version does not know: ${state.unknown.join(", ")}` : "";
    if (values.check) {
      if (state.pending.length === 0) {
        console.log(`${where}: up to date (${state.applied.length} applied${newer})`);
        return 0;
      }
      console.log(`${where}: ${state.pending.length} pending: ${state.pending.join(", ")}${newer}`);
      return 1;
    }
    const applied = await applyMigrations(store.db);
    console.log(applied.length ? `${where}: applied ${applied.join(", ")}` : `${where}: up to date, nothing to apply${newer}`);
    return 0;
  } finally {
    await store.close();
  }
}
