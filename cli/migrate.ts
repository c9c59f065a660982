// `jobserv migrate [--check]`: store migrations as a separate step, for
// operators who start servers with JOBSERV_MIGRATE=off (rolling upgrades:
// apply the new version's additive migrations, then replace the servers).
// --check changes nothing; exit 0 when none is pending, 1 when some are.
import { parseArgs } from "node:util";
import { loadServerConfig } from "../server/config.js";
import { openMigrationAdmin } from "../server/migrations.js";

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { check: { type: "boolean", default: false } } });
  const store = await openMigrationAdmin(loadServerConfig());
  const where = store.where;
  try {
    try {
      await store.waitForStore();
    } catch (e) {
      console.error(`jobserv migrate: ${(e as Error).message}`);
      return 2;
    }
    const state = await store.state();
    const newer = state.unknown.length ? `; ${state.unknown.length} newer migration(s) this version does not know: ${state.unknown.join(", ")}` : "";
    if (values.check) {
      if (state.pending.length === 0) {
        console.log(`${where}: up to date (${state.applied.length} applied${newer})`);
        return 0;
      }
      console.log(`${where}: ${state.pending.length} pending: ${state.pending.join(", ")}${newer}`);
      return 1;
    }
    const applied = await store.apply();
    console.log(applied.length ? `${where}: applied ${applied.join(", ")}` : `${where}: up to date, nothing to apply${newer}`);
    return 0;
  } finally {
    await store.close();
  }
}
